using HermitSync.Rqlite;
using HermitSync.Sync;

namespace HermitSync.Api.Sync;

public static class SyncEndpoints
{
    private const int RecentRejections = 50;

    public static IEndpointRouteBuilder MapSyncEndpoints(this IEndpointRouteBuilder app)
    {
        var sync = app.MapGroup("/api/sync").WithTags("Sync");
        sync.MapGet("/status", GetStatus).WithName("GetSyncStatus");
        sync.MapGet("/pairing", (SyncAgentClient agent, CancellationToken ct) => agent.StatusAsync(ct)).WithName("GetPairing");
        sync.MapPost("/peers", (PairRequest request, SyncAgentClient agent, CancellationToken ct) => agent.PairAsync(request, ct)).WithName("PairPeer");
        sync.MapDelete("/peers/{deviceId}", (string deviceId, SyncAgentClient agent, CancellationToken ct) => agent.UnpairAsync(deviceId, ct)).WithName("UnpairPeer");
        sync.MapPost("/pending/{deviceId}/ignore", (string deviceId, SyncAgentClient agent, CancellationToken ct) => agent.IgnoreAsync(deviceId, ct)).WithName("IgnorePendingDevice");
        return app;
    }

    private static async Task<SyncStatus> GetStatus(RqliteClient rqlite, SiteIdentity site, CancellationToken cancellationToken)
    {
        var results = await rqlite.QueryAsync(
            [
                SqlStatement.Of("SELECT file, kind, rows, bytes, exported_at FROM sync_exports ORDER BY file_seq DESC LIMIT 1"),
                SqlStatement.Of("SELECT site_id, file, rows, applied_at, last_hlc FROM sync_applied ORDER BY applied_at DESC LIMIT 1"),
                SqlStatement.Of("SELECT site_id, kind, file_seq, rows, applied_at, last_hlc FROM sync_applied ORDER BY site_id, file_seq"),
                SqlStatement.Of("SELECT file, site_id, reason, detail, bytes, rejected_at FROM sync_rejections ORDER BY id DESC LIMIT ?", RecentRejections),
            ],
            ReadConsistency.Weak,
            cancellationToken);

        var lastExport = results[0].Rows.Select(r => new SyncExport(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), Time(r.GetInt64(4)))).FirstOrDefault();
        var lastImport = results[1].Rows.Select(r => new SyncImport(
            r.GetString(0), r.GetString(1), r.GetInt64(2), Time(r.GetInt64(3)),
            Math.Max(0, (r.GetInt64(3) - HybridLogicalClock.Physical(r.GetInt64(4))) / 1000.0))).FirstOrDefault();
        var peers = results[2].Rows
            .Select(r => (Site: r.GetString(0), Kind: r.GetString(1), Seq: r.GetInt64(2), Rows: r.GetInt64(3), At: r.GetInt64(4), Hlc: r.GetInt64(5)))
            .GroupBy(a => a.Site)
            .Select(g => new SyncPeer(
                g.Key,
                AppliedThrough(g.Select(a => (a.Kind, a.Seq))),
                g.LongCount(),
                g.Sum(a => a.Rows),
                Time(g.Max(a => a.At)),
                Time(HybridLogicalClock.Physical(g.Max(a => a.Hlc)))))
            .ToArray();
        var rejections = results[3].Rows.Select(r => new SyncRejection(
            r.GetString(0), r.GetStringOrNull(1), r.GetString(2), r.GetString(3), r.GetInt64(4), Time(r.GetInt64(5)))).ToArray();
        return new SyncStatus(site.SiteId, lastExport, lastImport, peers, rejections);
    }

    /// <summary>The highest sequence number up to which nothing of the peer's is missing.</summary>
    internal static long AppliedThrough(IEnumerable<(string Kind, long Seq)> applied)
    {
        var list = applied.ToArray();
        var through = list.Where(a => a.Kind == nameof(ChangeFileKind.Snapshot)).Select(a => a.Seq).DefaultIfEmpty(0).Max();
        var changes = list.Where(a => a.Kind == nameof(ChangeFileKind.Changes)).Select(a => a.Seq).ToHashSet();
        while (changes.Contains(through + 1))
        {
            through++;
        }
        return through;
    }

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
