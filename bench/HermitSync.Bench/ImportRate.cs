using System.Diagnostics;
using System.Net.Http.Json;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// How fast a site takes in a peer's large change file, through the real importer: a sealed
/// 100,000-row file from a new peer is put into site B's folder, as Syncthing would, and timed
/// until B's ledger says it is applied. Beside it, the same rows as a plain batch INSERT
/// straight to B's leader, 1,000 rows per transaction.
/// </summary>
public static class ImportRate
{
    private const string Site = "b";
    private const int Rows = 100_000;
    private const string ShortBody = "A line of text, as many notes are.";

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Import of a {Rows:N0}-row change file at site B");
        var rqlite = stack.Rqlite(Site);
        // The file comes from a site no Syncthing folder carries, so it stays at B, where it is put as a peer's would arrive.
        await WaitIdleAsync(stack);

        var keyring = new SyncKeyring(stack.Settings.SyncPassphrase);
        using var peer = await PeerFiles.TrustedPeerAsync(stack, Site);
        // Warm-up: the first file from a peer also derives its key (Argon2id, once per peer), which is not the rate.
        await PeerFiles.ImportAsync(stack, Site, peer.Seal(keyring, 1, SampleNote.Revisions(peer.SiteId, 0, 1, ShortBody)), peer.Name(1));
        var revisions = SampleNote.Revisions(peer.SiteId, 0, Rows, ShortBody);
        var file = peer.Seal(keyring, 2, revisions);
        var imported = await PeerFiles.ImportAsync(stack, Site, file, peer.Name(2));

        var raw = await RawInsert.RunAsync(stack, Site, revisions, "raw_notes");
        report.Add(new Figure($"import of a {Rows:N0}-row change file", "rows/s", Rows / imported.TotalSeconds,
            new Anchor("raw rqlite batch INSERT", Rows / raw.TotalSeconds), "≥ 10,000 rows/s", Rows / imported.TotalSeconds >= 10_000));
        report.Note($"Import: the {file.Length / 1e6:0.0} MB file took {imported.TotalSeconds:0.00} s from landing in the folder to applied " +
            $"(file watcher, read, verify and decrypt, one merge transaction); the raw INSERT of the same rows into a plain table took {raw.TotalSeconds:0.00} s.");
    }

    /// <summary>B has applied everything A wrote, so nothing else runs on B while it imports.</summary>
    private static async Task WaitIdleAsync(BenchStack stack)
    {
        var a = stack.Rqlite("a");
        var b = stack.Rqlite(Site);
        await Poll.UntilAsync(
            async () => await b.QueryAsync(NoteSql.Count) == await a.QueryAsync(NoteSql.Count),
            TimeSpan.FromMilliseconds(200),
            "B to import A's notes");
    }
}
