using System.Diagnostics;
using System.IO.Compression;
using HermitSync.AppHost.Site;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// How fast the whole collection downloads as a zip of Markdown files: 10,000 notes are put
/// into site A (as a peer's change file, the quickest real way in), then <c>GET /api/export</c>
/// is timed through the web app, as a person's browser fetches it. Beside it, the same live
/// rows read straight from A's leader in pages of the same size. The API's peak memory during
/// the export is read from the kernel's high-water mark, reset just before.
/// </summary>
public static class ExportRate
{
    private const string Site = "a";
    private const int Notes = 10_000;
    private const int PageSize = 500;

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Export of at least {Notes:N0} notes from site A");
        using var peer = await PeerFiles.TrustedPeerAsync(stack, Site);
        var keyring = new SyncKeyring(stack.Settings.SyncPassphrase);
        var revisions = SampleNote.Revisions(peer.SiteId, 0, Notes, SampleNote.Body);
        await PeerFiles.ImportAsync(stack, Site, peer.Seal(keyring, 1, revisions), peer.Name(1));
        var live = (await stack.Rqlite(Site).QueryAsync(NoteSql.All, ReadConsistency.Strong)).Count(n => !n.Deleted);

        var api = stack.ProcessIds(Site)[stack.Name(Site, SiteResource.Api)];
        var rssBefore = Processes.PeakRssMiB(api);
        Processes.ResetPeakRss(api);
        using var web = stack.Http(Site, SiteResource.Web);
        var started = Stopwatch.GetTimestamp();
        using var response = await web.GetAsync("/api/export", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var zip = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(zip);
        var exported = Stopwatch.GetElapsedTime(started);
        var peak = Processes.PeakRssMiB(api);
        zip.Position = 0;
        var files = new ZipArchive(zip, ZipArchiveMode.Read).Entries.Count;
        if (files != live)
        {
            throw new InvalidOperationException($"The export held {files} files for {live} live notes.");
        }

        var direct = await DirectReadAsync(stack);
        report.Add(new Figure($"export of {live:N0} notes as a zip of Markdown", "notes/s", live / exported.TotalSeconds,
            new Anchor($"the same rows read from rqlite in {PageSize}-row pages", live / direct.TotalSeconds), "≥ 5,000 notes/s", live / exported.TotalSeconds >= 5_000));
        report.Add(new Figure("API peak memory during that export (RSS)", "MiB", peak, new Anchor("API peak before it", rssBefore), "report", null));
        report.Note($"Export: {live:N0} notes, {zip.Length / 1e6:0.0} MB zipped, in {exported.TotalSeconds:0.00} s through the web app; " +
            $"reading the same rows straight from A's leader took {direct.TotalSeconds:0.00} s. The API's resident peak was {peak:0} MiB during the export, {rssBefore:0} MiB in its life before.");
    }

    /// <summary>The live rows a page at a time in id order, as the export reads them, with no zip, no Markdown and no HTTP hop in between.</summary>
    private static async Task<TimeSpan> DirectReadAsync(BenchStack stack)
    {
        using var leader = await stack.RqliteLeaderAsync(Site);
        var started = Stopwatch.GetTimestamp();
        var after = "";
        while (true)
        {
            var answer = await leader.QueryAsync(SqlStatement.Of(
                "SELECT id, title, body, created_at, updated_at FROM notes WHERE deleted = 0 AND id > ? ORDER BY id LIMIT ?", after, PageSize));
            var rows = answer.GetProperty("results")[0].TryGetProperty("values", out var values) ? values.EnumerateArray().ToArray() : [];
            if (rows.Length < PageSize)
            {
                return Stopwatch.GetElapsedTime(started);
            }
            after = rows[^1][0].GetString()!;
        }
    }
}
