using HermitSync.Exporter.ChangeFiles;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// How long a peer's good file takes to apply at site B while 10,000 garbage files a hostile peer
/// sent sit in B's folder (each already refused), beside the same with none there: what a flood
/// of junk costs every later import.
/// </summary>
public static class ImportAmidGarbage
{
    private const string Site = "b";
    private const int Garbage = 10_000;
    private const int Files = 8;

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"A good file at site B, with and without {Garbage:N0} garbage files beside it");
        var keyring = new SyncKeyring(stack.Settings.SyncPassphrase);
        using var peer = await PeerFiles.TrustedPeerAsync(stack, Site);
        // The good files come after the garbage in the peer's numbering, so a pass meets the garbage first.
        var sequence = 100_000L;
        Task<TimeSpan> ImportOneAsync() => PeerFiles.ImportAsync(stack, Site,
            peer.Seal(keyring, ++sequence, SampleNote.Revisions(peer.SiteId, (int)sequence, 1, SampleNote.Body)), peer.Name(sequence));

        // Warm-up: the peer's key is derived once, which is not what is measured.
        await ImportOneAsync();
        var empty = new List<double>();
        for (var i = 0; i < Files; i++)
        {
            empty.Add((await ImportOneAsync()).TotalSeconds);
        }

        var rejectedBefore = await stack.Rqlite(Site).QueryAsync(SyncLedgerSql.RejectionCount);
        var template = peer.Seal(keyring, 1, []);
        for (var i = 0; i < Garbage; i++)
        {
            var junk = (byte[])template.Clone();
            System.Security.Cryptography.RandomNumberGenerator.Fill(junk.AsSpan(56, SyncKeyring.SaltBytes));
            PeerFiles.Land(stack, Site, junk, peer.Name(1 + i));
        }
        await Poll.UntilAsync(
            async () => await stack.Rqlite(Site).QueryAsync(SyncLedgerSql.RejectionCount) - rejectedBefore >= Garbage,
            TimeSpan.FromMilliseconds(200),
            $"B to refuse the {Garbage:N0} garbage files");
        var amid = new List<double>();
        for (var i = 0; i < Files; i++)
        {
            amid.Add((await ImportOneAsync()).TotalSeconds);
        }

        var p50 = Stats.Median(amid);
        var ratio = p50 / Stats.Median(empty);
        report.Add(new Figure($"a good file applied with {Garbage:N0} garbage files beside it, p50", "s", p50, new Anchor("empty folder", Stats.Median(empty)),
            "≤ 2 s and ratio ≤ 2", p50 <= 2 && ratio <= 2));
        report.Note($"Garbage: each of the {Garbage:N0} files holds a change file's header under a salt its site cannot have, so each is refused by its signature before any key is derived; " +
            $"once refused, a file is remembered by its length and time and not read again. Slowest good file: {amid.Max():0.000} s amid the garbage, {empty.Max():0.000} s without.");
    }
}
