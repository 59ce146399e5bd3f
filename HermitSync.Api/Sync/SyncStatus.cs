namespace HermitSync.Api.Sync;

public sealed record SyncStatus(string SiteId, SyncExport? LastExport, SyncImport? LastImport, IReadOnlyList<SyncPeer> Peers, IReadOnlyList<SyncRejection> Rejections);

public sealed record SyncExport(string File, string Kind, long Rows, long Bytes, DateTimeOffset At);

public sealed record SyncImport(string SiteId, string File, long Rows, DateTimeOffset At, double LagSeconds);

/// <summary>
/// What this site has applied from one peer. <see cref="AppliedThrough"/> is the cursor: every
/// file of that peer up to this sequence number is applied, or covered by a snapshot.
/// </summary>
public sealed record SyncPeer(string SiteId, long AppliedThrough, long FilesApplied, long RowsApplied, DateTimeOffset LastAppliedAt, DateTimeOffset NewestChangeAt);

public sealed record SyncRejection(string File, string? SiteId, string Reason, string Detail, long Bytes, DateTimeOffset At);
