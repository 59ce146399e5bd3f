using System.Net.Http.Json;

namespace HermitSync.Web.Sync;

public sealed record SyncStatus(string SiteId, SyncExport? LastExport, SyncImport? LastImport, IReadOnlyList<SyncPeer> Peers, IReadOnlyList<SyncRejection> Rejections);

public sealed record SyncExport(string File, string Kind, long Rows, long Bytes, DateTimeOffset At);

public sealed record SyncImport(string SiteId, string File, long Rows, DateTimeOffset At, double LagSeconds);

public sealed record SyncPeer(string SiteId, long AppliedThrough, long FilesApplied, long RowsApplied, DateTimeOffset LastAppliedAt, DateTimeOffset NewestChangeAt);

public sealed record SyncRejection(string File, string? SiteId, string Reason, string Detail, long Bytes, DateTimeOffset At);

public sealed class SyncApi(HttpClient http)
{
    public async Task<SyncStatus> GetAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<SyncStatus>("/api/sync/status", cancellationToken)
        ?? throw new InvalidOperationException("The API returned no sync status.");
}
