using System.Diagnostics;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Rqlite;
using HermitSync.Storage;
using HermitSync.Testing.Peers;

namespace HermitSync.Bench;

/// <summary>Files as a peer's arrive: landed in a site's folder the way Syncthing lands them, and timed until applied.</summary>
public static class PeerFiles
{
    /// <summary>A peer on a machine of its own, trusted at <paramref name="site"/> as a paired machine's site is.</summary>
    public static async Task<PeerSite> TrustedPeerAsync(BenchStack stack, string site)
    {
        var peer = new PeerSite();
        using var syncthing = stack.Syncthing(site);
        await peer.IntroduceAsync(syncthing, stack.SyncFolder(site));
        return peer;
    }

    /// <summary>Lands <paramref name="content"/> under <paramref name="name"/> at <paramref name="site"/> and waits until its ledger says it is applied.</summary>
    public static async Task<TimeSpan> ImportAsync(BenchStack stack, string site, byte[] content, ChangeFileName name)
    {
        var rqlite = stack.Rqlite(site);
        var started = Land(stack, site, content, name);
        await Poll.UntilAsync(
            async () => (await rqlite.QueryAsync(SyncLedgerSql.Applied)).Contains(new AppliedFileKey(name.SiteId, name.Kind, name.Sequence)),
            TimeSpan.FromMilliseconds(20),
            $"{name.RelativePath} to be applied");
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Written aside and renamed, as Syncthing lands a finished file; returns when it appeared.</summary>
    public static long Land(BenchStack stack, string site, byte[] content, ChangeFileName name)
    {
        var path = Path.Combine(stack.SyncFolder(site), name.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".syncthing.{name.FileName}.tmp");
        File.WriteAllBytes(temporary, content);
        var landed = Stopwatch.GetTimestamp();
        File.Move(temporary, path);
        return landed;
    }
}
