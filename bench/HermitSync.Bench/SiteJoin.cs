using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using HermitSync.AppHost.Site;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// A site joining one that holds the whole <see cref="ScaleCorpus"/>: with B cut off from A, the
/// corpus is written at A as A's own notes and exported; then B is let in, and timed until its
/// API holds every note. Its anchor is A's own merge of the same revisions straight into its
/// cluster: the work every node of B's cluster does again. Beside it, Syncthing alone copying
/// files of the same sizes between the same two machines; what a snapshot of A's notes would
/// hold, and B's memory just after and once idle.
/// </summary>
public static class SiteJoin
{
    private const int Batch = 250;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Long enough for B's services to see the merge is over and push it out of rqlite's log cache
    /// (they look every 10 s), and for every node to collect after it: a Go program that allocates
    /// little collects at least every two minutes.
    /// </summary>
    private static readonly TimeSpan QuietAfterJoin = TimeSpan.FromSeconds(150);

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"A site joining one that holds {ScaleCorpus.Notes:N0} notes");
        var a = stack.Rqlite("a");
        var b = stack.Rqlite("b");
        var siteA = await stack.SiteIdAsync("a");
        var deviceB = await DeviceIdAsync(stack, "b");
        using var syncthingA = stack.Syncthing("a");
        using var apiA = stack.Http("a", SiteResource.Api);
        using var apiB = stack.Http("b", SiteResource.Api);
        // Paired and connected first: a pause made while the pairing is still being set up would be undone by it.
        await SyncLag.WaitConnectedAsync(apiA);
        (await syncthingA.PostAsync($"/rest/system/pause?device={deviceB}", null)).EnsureSuccessStatusCode();
        await SyncLag.WaitConnectedAsync(apiB, connected: false);

        // What B holds already, of the steps before, comes on top of the corpus.
        var expected = await b.QueryAsync(NoteSql.Count, ReadConsistency.Strong) + ScaleCorpus.Notes;
        // A's files from the steps before are B's already: only the corpus's files are the join's.
        var folderA = Path.Combine(stack.SyncFolder("a"), "sites", siteA);
        var earlier = Directory.Exists(folderA) ? Directory.GetFiles(folderA).ToHashSet() : [];
        var loading = Stopwatch.StartNew();
        foreach (var batch in new ScaleCorpus(seed: 23).Batches(siteA, Batch))
        {
            await a.ExecuteAsync(SyncLedgerSql.Merge(batch), idempotent: true);
        }
        var merging = loading.Elapsed;
        await Poll.UntilAsync(async () => (await a.QueryAsync(SyncLedgerSql.Cursor)).Position.Covers(await a.QueryAsync(SyncLedgerSql.NewestOwn(siteA))), TimeSpan.FromSeconds(1), "A's export", Patience);
        loading.Stop();
        var files = Directory.GetFiles(folderA).Where(f => !earlier.Contains(f)).Select(f => new FileInfo(f).Length).ToArray();
        if (await b.QueryAsync(NoteSql.Count, ReadConsistency.Strong) > expected - ScaleCorpus.Notes)
        {
            throw new InvalidOperationException("B received notes while it was paused: the measurement would not be a join.");
        }
        var snapshot = await SnapshotContentAsync(a, siteA);

        var joining = Stopwatch.StartNew();
        (await syncthingA.PostAsync($"/rest/system/resume?device={deviceB}", null)).EnsureSuccessStatusCode();
        // B's cluster may be between leaders while it applies the largest files; that is part of the join's time, not its end.
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return await b.QueryAsync(NoteSql.Count, ReadConsistency.Weak) >= expected;
            }
            catch (RqliteUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(1), "every note at B", Patience);
        joining.Stop();
        var memoryB = Memory.Of(stack, "b");
        await Task.Delay(QuietAfterJoin);
        var idleB = Memory.Of(stack, "b");

        var copying = await BareCopyAsync(stack, files);
        report.Add(new Figure($"a new site joining one with {ScaleCorpus.Notes / 1000:N0}k notes, until it holds every note", "s", joining.Elapsed.TotalSeconds,
            new Anchor($"A merging the same revisions straight into its cluster, {Batch} notes per transaction", merging.TotalSeconds), "≤ 60 s", joining.Elapsed.TotalSeconds <= 60));
        report.Add(new Figure("Syncthing alone copying the corpus's change files' bytes between the two sites", "s", copying.TotalSeconds, null, "report", null));
        report.Add(new Figure("A's change files for the corpus", "MB", files.Sum() / 1e6, null, "report", null));
        report.Add(new Figure($"a snapshot of A's notes, content before compression ({snapshot.Pruned:N0} of {snapshot.Revisions:N0} revisions pruned)", "MB", snapshot.Bytes / 1e6,
            null, "report", null));
        report.Add(new Figure("memory of the joined site B, all its processes (PSS)", "MiB", memoryB.Total, null, "report", null));
        report.Add(new Figure($"memory of the joined site B, idle {QuietAfterJoin.TotalSeconds:0} s after (PSS)", "MiB", idleB.Total, null, "report", null));
        report.Note($"Site join: {ScaleCorpus.Notes:N0} notes written at A as A's own ({merging.TotalSeconds:0} s) and exported ({loading.Elapsed.TotalSeconds:0} s in all) while B was paused, in {files.Length} change files " +
            $"(no snapshot: {snapshot.Bytes / 1e6:0} MB is more than one file may hold, 64 MiB). Then B was resumed and timed until its cluster held every note. " +
            $"The anchor: {files.Length} files of the same sizes, random bytes, in a folder the two Syncthings share, from the rescan until B holds them all. " +
            $"B's memory just after: {memoryB.PerResource}; idle {QuietAfterJoin.TotalSeconds:0} s later: {idleB.PerResource}.");
    }

    /// <summary>What a snapshot written now would hold of A's notes, with the default retention.</summary>
    private static async Task<(long Bytes, int Revisions, int Pruned)> SnapshotContentAsync(RqliteClient a, string siteA)
    {
        var options = new HermitSync.Exporter.Sync.SyncOptions();
        var keepSince = HybridLogicalClock.FromPhysical((DateTimeOffset.UtcNow - options.SnapshotKeepFor).ToUnixTimeMilliseconds());
        var revisions = new List<NoteRevision>();
        long after = 0;
        while (await a.QueryAsync(RevisionSql.Snapshot(siteA, after, long.MaxValue, 5_000, options.SnapshotKeepVersions, keepSince)) is { Count: > 0 } page)
        {
            revisions.AddRange(page.Select(r => r.Revision));
            after = page[^1].Seq;
        }
        var properties = await a.QueryAsync(PropertySql.Since(siteA, 0, long.MaxValue, int.MaxValue));
        var content = new ChangeSet([.. revisions], [.. properties.Select(p => p.Change)]);
        return (ChangeFile.ContentBytes(content), revisions.Count, revisions.Count(r => r.Pruned));
    }

    private static async Task<TimeSpan> BareCopyAsync(BenchStack stack, long[] sizes)
    {
        await using var bare = await BareFolder.ShareAsync(stack.Bare("a"), stack.Bare("b"));
        var names = sizes.Select((size, i) => (Name: $"join-{i}.bin", Size: size)).ToArray();
        foreach (var (name, size) in names)
        {
            var bytes = new byte[size];
            Random.Shared.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(bare.PathAt("a"), name), bytes);
        }
        var copying = Stopwatch.StartNew();
        await bare.ScanAsync("a");
        await Poll.UntilAsync(() => Task.FromResult(names.All(n => new FileInfo(Path.Combine(bare.PathAt("b"), n.Name)) is { Exists: true } f && f.Length == n.Size)),
            TimeSpan.FromMilliseconds(100), "the files at B", Patience);
        return copying.Elapsed;
    }

    private static async Task<string> DeviceIdAsync(BenchStack stack, string site)
    {
        using var syncthing = stack.Syncthing(site);
        return (await syncthing.GetFromJsonAsync<JsonElement>("/rest/system/status")).GetProperty("myID").GetString()!;
    }
}
