namespace HermitSync.Rqlite;

/// <summary>
/// When rqlite 8 compresses a write before it enters the Raft log. The leader gzips the whole
/// request, at gzip's best and slowest level, if it holds <see cref="StatementThreshold"/>
/// statements or more, or one whose SQL text is <see cref="SqlLengthThreshold"/> characters or
/// more, however large its parameters are (rqlite's <c>command.RequestMarshaler</c>). Bulk data
/// travels as parameters, so a merge of 256 KiB of notes spent 58 % of the leader's CPU in gzip;
/// the statements that carry it stay under both thresholds, and tests check that they do.
/// </summary>
public static class RqliteCompression
{
    public const int StatementThreshold = 50;

    public const int SqlLengthThreshold = 1024;

    /// <summary>Whether rqlite gzips a request of these statements.</summary>
    public static bool Compresses(IReadOnlyCollection<SqlStatement> statements) =>
        statements.Count >= StatementThreshold || statements.Any(s => s.Sql.Length >= SqlLengthThreshold);
}
