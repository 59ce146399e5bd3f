using System.Text;
using Aspire.Hosting.ApplicationModel;
using HermitSync.Rqlite;
using HermitSync.AppHost.Site;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// What one edited note costs the sync folder: site A is brought to 10,000 notes, then single
/// notes are edited through the API, and the change files the exporter writes for each are
/// counted (from its own ledger, <c>sync_exports</c>, which records every file's size).
/// Beside it, the full <c>/db/backup</c> snapshot a naive design would ship instead.
/// </summary>
public static class BytesPerEdit
{
    private const string Site = "a";
    private const int Notes = 10_000;
    private const int Edits = 5;

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Bytes per edit: {Edits} single-note edits in a {Notes:N0}-note database");
        var rqlite = stack.Rqlite(Site);
        var siteId = await stack.SiteIdAsync(Site);
        await SeedAsync(rqlite, siteId);
        await WaitExportedAsync(rqlite, siteId);

        using var api = stack.Http(Site, SiteResource.Api);
        var ids = await rqlite.QueryAsync(NoteSql.SampleIds(Edits));
        const string title = "An edited note";
        var body = SampleNote.Body + " One more sentence.";
        var noteBytes = Encoding.UTF8.GetByteCount(title) + Encoding.UTF8.GetByteCount(body);
        var changes = new List<double>();
        long snapshots = 0;
        foreach (var id in ids)
        {
            var before = (await rqlite.QueryAsync(SyncLedgerSql.Cursor)).LastFileSeq;
            using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{id}") { Content = System.Net.Http.Json.JsonContent.Create(new { title, body }) };
            edit.Headers.IfMatch.ParseAdd("*");
            (await api.SendAsync(edit)).EnsureSuccessStatusCode();
            await WaitExportedAsync(rqlite, siteId);
            var exported = await rqlite.QueryAsync(SyncLedgerSql.ExportsAfter(before));
            changes.Add(exported.Where(f => f.Kind == ChangeFileKind.Changes).Sum(f => f.Bytes));
            snapshots += exported.Where(f => f.Kind == ChangeFileKind.Snapshot).Sum(f => f.Bytes);
        }

        using var backup = new MemoryStream();
        await (await stack.RqliteAsAsync(Site, RqliteUser.Backup)).BackupAsync(backup);
        var perEdit = Stats.Median(changes);
        var limit = noteBytes + 2048;
        report.Add(new Figure($"bytes to the sync folder per note edit, {Notes:N0}-note DB", "bytes", perEdit,
            new Anchor("full /db/backup", backup.Length), $"≤ note + 2 KiB = {limit:N0} bytes", perEdit <= limit));
        report.Note($"Bytes per edit: the note is {noteBytes:N0} bytes of UTF-8 text; the change files of the {Edits} edits were {string.Join(", ", changes.Select(c => c.ToString("N0")))} bytes." +
            (snapshots > 0 ? $" A periodic snapshot ({snapshots:N0} bytes, every 200 change files or 30 minutes) also fell due during them." : ""));
    }

    /// <summary>Tops the site up to the note count as its own revisions, merged straight into rqlite: the setting-up is not what is measured.</summary>
    private static async Task SeedAsync(RqliteClient rqlite, string siteId)
    {
        var existing = await rqlite.QueryAsync(NoteSql.Count);
        var revisions = SampleNote.Revisions(siteId, (int)existing, (int)Math.Max(0, Notes - existing), SampleNote.Body);
        foreach (var batch in revisions.Chunk(2_000))
        {
            await rqlite.ExecuteAsync(RevisionSql.Merge(batch), idempotent: true);
        }
    }

    /// <summary>Waits until the exporter has written every revision the site has made into a file.</summary>
    private static Task WaitExportedAsync(RqliteClient rqlite, string siteId) =>
        Poll.UntilAsync(
            async () => (await rqlite.QueryAsync(SyncLedgerSql.Cursor)).ExportedThrough >= await rqlite.QueryAsync(RevisionSql.NewestSeq(siteId)),
            TimeSpan.FromMilliseconds(50),
            "the exporter");
}
