namespace HermitSync.Storage;

/// <summary>What a change file is: the revisions made since the previous file, or all of them.</summary>
public enum ChangeFileKind : byte
{
    /// <summary>The revisions a site made since its previous file.</summary>
    Changes = 1,
    /// <summary>Every revision the site had made up to its sequence number: covers all its earlier files.</summary>
    Snapshot = 2,
}

public sealed record SyncStatus(string SiteId, SyncExport? LastExport, SyncImport? LastImport, IReadOnlyList<SyncPeer> Peers, IReadOnlyList<SyncRejection> Rejections);

public sealed record SyncExport(string File, string Kind, long Rows, long Bytes, DateTimeOffset At);

public sealed record SyncImport(string SiteId, string File, long Rows, DateTimeOffset At, double LagSeconds);

/// <summary>
/// What this site has applied from one peer. <see cref="AppliedThrough"/> is the cursor: every
/// file of that peer up to this sequence number is applied, or covered by a snapshot.
/// </summary>
public sealed record SyncPeer(string SiteId, long AppliedThrough, long FilesApplied, long RowsApplied, DateTimeOffset LastAppliedAt, DateTimeOffset NewestChangeAt);

public sealed record SyncRejection(string File, string? SiteId, string Reason, string Detail, long Bytes, DateTimeOffset At);

/// <summary>
/// A file this site wrote into the folder. <see cref="ThroughSeq"/> is the last local revision
/// it holds, <see cref="ThroughPropertySeq"/> the last local property write.
/// </summary>
public sealed record ExportedFile(long FileSeq, ChangeFileKind Kind, string File, long ThroughSeq, long Rows, long Bytes, long LastHlc, long ExportedAt, long ThroughPropertySeq);

/// <summary>Where the exporter stands: how far it exported revisions and property writes, its last file, and when it last compacted.</summary>
public sealed record ExportCursor(long ExportedThrough, long LastFileSeq, long LastSnapshotAt, int FilesSinceSnapshot, long PropertiesExportedThrough)
{
    public ExportPosition Position => new(ExportedThrough, PropertiesExportedThrough);
}

/// <summary>A peer's file that this site applied.</summary>
public sealed record AppliedFile(string SiteId, ChangeFileKind Kind, long FileSeq, string File, long Rows, long LastHlc, long AppliedAt)
{
    public AppliedFileKey Key => new(SiteId, Kind, FileSeq);
}

public sealed record AppliedFileKey(string SiteId, ChangeFileKind Kind, long FileSeq);

/// <summary>
/// An entry of the sync folder this site refused, and why. <see cref="SiteId"/> is null when its
/// name says no site; <see cref="ContentHash"/> names what was refused, so the same content is
/// not looked at twice and other content under the same name is.
/// </summary>
public sealed record RejectedFile(string File, string? SiteId, string Reason, string Detail, long Bytes, long RejectedAt, string ContentHash);

/// <summary>A position among a site's own rows: the last local revision and the last local property write.</summary>
public readonly record struct ExportPosition(long Revisions, long Properties)
{
    public static ExportPosition Start { get; } = new(0, 0);

    public bool Covers(ExportPosition other) => Revisions >= other.Revisions && Properties >= other.Properties;

    public ExportPosition Max(ExportPosition other) => new(Math.Max(Revisions, other.Revisions), Math.Max(Properties, other.Properties));
}
