using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// The sync ledger: the files this site exported (<c>sync_exports</c>), the peer files it
/// applied (<c>sync_applied</c>), and the files it refused (<c>sync_rejections</c>). It lives in
/// rqlite beside the notes, so the ledger and the data it describes change together.
/// </summary>
public static class SyncLedgerSql
{
    public static SqlStatement RecordExport(ExportedFile file) => SqlStatement.Of(
        "INSERT INTO sync_exports (file_seq, kind, file, through_seq, rows, bytes, last_hlc, exported_at, through_property_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        file.FileSeq, file.Kind.ToString(), file.File, file.ThroughSeq, file.Rows, file.Bytes, file.LastHlc, file.ExportedAt, file.ThroughPropertySeq);

    /// <summary>
    /// Records one of this site's own files that the ledger did not list and merges what it
    /// holds, in one transaction, reading how many revisions were new here.
    /// </summary>
    public static SqlBatch<long> RecoverExport(ExportedFile file, ChangeSet changes) =>
        Merge(changes).After(RecordExport(file));

    public static SqlQuery<ExportCursor> Cursor { get; } = new(
        SqlStatement.Of(
            $"""
            SELECT coalesce(max(through_seq), 0), coalesce(max(file_seq), 0),
                   coalesce(max(CASE WHEN kind = '{nameof(ChangeFileKind.Snapshot)}' THEN exported_at END), 0),
                   count(*) FILTER (WHERE file_seq > coalesce((SELECT max(file_seq) FROM sync_exports WHERE kind = '{nameof(ChangeFileKind.Snapshot)}'), 0)),
                   coalesce(max(through_property_seq), 0)
            FROM sync_exports
            """),
        result =>
        {
            var row = result.Rows[0];
            return new ExportCursor(row.GetInt64(0), row.GetInt64(1), row.GetInt64(2), (int)row.GetInt64(3), row.GetInt64(4));
        });

    /// <summary>The newest of a site's own revisions and property writes, by local sequence number.</summary>
    public static SqlQuery<ExportPosition> NewestOwn(string siteId) => new(
        SqlStatement.Of(
            """
            SELECT (SELECT coalesce(max(seq), 0) FROM note_revisions WHERE site_id = ?),
                   (SELECT coalesce(max(seq), 0) FROM properties WHERE site_id = ?)
            """,
            siteId, siteId),
        result => new ExportPosition(result.Rows[0].GetInt64(0), result.Rows[0].GetInt64(1)));

    /// <summary>The files exported after file <paramref name="fileSeq"/>, oldest first.</summary>
    public static SqlQuery<IReadOnlyList<ExportedFile>> ExportsAfter(long fileSeq) => SqlQuery.Rows(
        SqlStatement.Of("SELECT file_seq, kind, file, through_seq, rows, bytes, last_hlc, exported_at, through_property_seq FROM sync_exports WHERE file_seq > ? ORDER BY file_seq", fileSeq),
        row => new ExportedFile(row.GetInt64(0), Kind(row.GetString(1)), row.GetString(2), row.GetInt64(3), row.GetInt64(4), row.GetInt64(5), row.GetInt64(6), row.GetInt64(7), row.GetInt64(8)));

    /// <summary>
    /// Merges a peer file's revisions and property writes (or the last part of them) and marks
    /// the file applied, in one transaction. It reads how many revisions were new here and how
    /// many property writes won.
    /// </summary>
    public static SqlBatch<long> ApplyFile(AppliedFile file, ChangeSet changes) =>
        Merge(changes).After(SqlStatement.Of(
            "INSERT INTO sync_applied (site_id, kind, file_seq, file, rows, last_hlc, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            file.SiteId, file.Kind.ToString(), file.FileSeq, file.File, file.Rows, file.LastHlc, file.AppliedAt));

    /// <summary>Revisions, then property writes, in one transaction; reads how many of both were new.</summary>
    public static SqlBatch<long> Merge(ChangeSet changes) =>
        RevisionSql.Merge(changes.Revisions).Then(PropertySql.Merge(changes.Properties), (revisions, properties) => revisions + properties);

    /// <summary>Whether <see cref="ApplyFile"/> failed because the file was applied before: its ledger row, the first statement, exists.</summary>
    public static bool AppliedBefore(RqliteStatementException failure) => failure.StatementIndex == 0 && failure.IsConstraintViolation;

    public static SqlQuery<IReadOnlyList<AppliedFileKey>> Applied { get; } = SqlQuery.Rows(
        SqlStatement.Of("SELECT site_id, kind, file_seq FROM sync_applied"),
        row => new AppliedFileKey(row.GetString(0), Kind(row.GetString(1)), row.GetInt64(2)));

    public static SqlStatement RecordRejection(RejectedFile file) => SqlStatement.Of(
        "INSERT INTO sync_rejections (file, site_id, reason, detail, bytes, rejected_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        file.File, file.SiteId, file.Reason, file.Detail, file.Bytes, file.RejectedAt, file.ContentHash);

    /// <summary>What every refused entry held, as <see cref="RejectedFile.ContentHash"/> names it.</summary>
    public static SqlQuery<IReadOnlyList<string>> RejectedContent { get; } = SqlQuery.Rows(
        SqlStatement.Of("SELECT DISTINCT content_hash FROM sync_rejections WHERE content_hash IS NOT NULL"),
        row => row.GetString(0));

    /// <summary>How many entries this site has refused, ever.</summary>
    public static SqlQuery<long> RejectionCount { get; } = SqlQuery.Scalar(SqlStatement.Of("SELECT count(*) FROM sync_rejections"));

    /// <summary>What the Sync page shows: the last export and import, each peer's cursor, and the latest refusals.</summary>
    public static SqlBatch<SyncStatus> Status(string siteId, int recentRejections) => new(
        [
            SqlStatement.Of("SELECT file, kind, rows, bytes, exported_at FROM sync_exports ORDER BY file_seq DESC LIMIT 1"),
            SqlStatement.Of("SELECT site_id, file, rows, applied_at, last_hlc FROM sync_applied ORDER BY applied_at DESC LIMIT 1"),
            SqlStatement.Of("SELECT site_id, kind, file_seq, rows, applied_at, last_hlc FROM sync_applied ORDER BY site_id, file_seq"),
            SqlStatement.Of("SELECT file, site_id, reason, detail, bytes, rejected_at FROM sync_rejections ORDER BY id DESC LIMIT ?", recentRejections),
        ],
        results =>
        {
            var lastExport = results[0].Rows
                .Select(r => new SyncExport(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3), Time(r.GetInt64(4))))
                .FirstOrDefault();
            var lastImport = results[1].Rows
                .Select(r => new SyncImport(r.GetString(0), r.GetString(1), r.GetInt64(2), Time(r.GetInt64(3)),
                    Math.Max(0, (r.GetInt64(3) - HybridLogicalClock.Physical(r.GetInt64(4))) / 1000.0)))
                .FirstOrDefault();
            var peers = results[2].Rows
                .Select(r => (Site: r.GetString(0), Kind: Kind(r.GetString(1)), Seq: r.GetInt64(2), Rows: r.GetInt64(3), At: r.GetInt64(4), Hlc: r.GetInt64(5)))
                .GroupBy(a => a.Site)
                .Select(g => new SyncPeer(
                    g.Key,
                    AppliedThrough(g.Select(a => (a.Kind, a.Seq))),
                    g.LongCount(),
                    g.Sum(a => a.Rows),
                    Time(g.Max(a => a.At)),
                    Time(HybridLogicalClock.Physical(g.Max(a => a.Hlc)))))
                .ToArray();
            var rejections = results[3].Rows
                .Select(r => new SyncRejection(r.GetString(0), r.GetStringOrNull(1), r.GetString(2), r.GetString(3), r.GetInt64(4), Time(r.GetInt64(5))))
                .ToArray();
            return new SyncStatus(siteId, lastExport, lastImport, peers, rejections);
        });

    /// <summary>The highest sequence number up to which nothing of the peer's is missing.</summary>
    internal static long AppliedThrough(IEnumerable<(ChangeFileKind Kind, long Seq)> applied)
    {
        var list = applied.ToArray();
        var through = list.Where(a => a.Kind == ChangeFileKind.Snapshot).Select(a => a.Seq).DefaultIfEmpty(0).Max();
        var changes = list.Where(a => a.Kind == ChangeFileKind.Changes).Select(a => a.Seq).ToHashSet();
        while (changes.Contains(through + 1))
        {
            through++;
        }
        return through;
    }

    private static ChangeFileKind Kind(string stored) => Enum.Parse<ChangeFileKind>(stored);

    private static DateTimeOffset Time(long unixMilliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds);
}
