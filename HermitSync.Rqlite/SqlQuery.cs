namespace HermitSync.Rqlite;

/// <summary>
/// A read and the typed reader of its result, defined together, so the positions of the
/// columns the SQL selects never leave the place that wrote the SQL.
/// </summary>
public sealed record SqlQuery<T>(SqlStatement Statement, Func<RqliteResult, T> Read);

/// <summary>
/// Statements sent in one request (a transaction for writes) and the reader of their results:
/// a write and the read of its outcome stay one atomic step with one typed answer.
/// </summary>
public sealed record SqlBatch<T>(IReadOnlyList<SqlStatement> Statements, Func<IReadOnlyList<RqliteResult>, T> Read)
{
    /// <summary>The same batch with <paramref name="first"/> run before it, in the same transaction; the reader sees only its own results.</summary>
    public SqlBatch<T> After(SqlStatement first) => new([first, .. Statements], results => Read(results.Skip(1).ToArray()));

    /// <summary>This batch, then <paramref name="next"/>, in one transaction; each reader sees only its own results, and <paramref name="combine"/> joins their answers.</summary>
    public SqlBatch<TResult> Then<TNext, TResult>(SqlBatch<TNext> next, Func<T, TNext, TResult> combine) => new(
        [.. Statements, .. next.Statements],
        results => combine(Read(results.Take(Statements.Count).ToArray()), next.Read(results.Skip(Statements.Count).ToArray())));
}

public static class SqlQuery
{
    /// <summary>Every row, each read by <paramref name="read"/>.</summary>
    public static SqlQuery<IReadOnlyList<T>> Rows<T>(SqlStatement statement, Func<RqliteRow, T> read) =>
        new(statement, result => result.Rows.Select(read).ToArray());

    /// <summary>The first row, or null when there is none.</summary>
    public static SqlQuery<T?> FirstOrDefault<T>(SqlStatement statement, Func<RqliteRow, T> read) where T : class =>
        new(statement, result => result.Rows.Count == 0 ? null : read(result.Rows[0]));

    /// <summary>The one integer a query such as <c>SELECT count(*)</c> returns.</summary>
    public static SqlQuery<long> Scalar(SqlStatement statement) =>
        new(statement, result => result.Rows[0].GetInt64(0));
}

/// <summary>Runs typed queries and batches with the client's failover and consistency levels.</summary>
public static class SqlQueryExtensions
{
    public static async Task<T> QueryAsync<T>(this RqliteClient rqlite, SqlQuery<T> query, ReadConsistency level = ReadConsistency.Weak, CancellationToken cancellationToken = default) =>
        query.Read(await rqlite.QueryAsync(query.Statement, level, cancellationToken));

    /// <summary>Several reads in one request, read together.</summary>
    public static async Task<T> QueryAsync<T>(this RqliteClient rqlite, SqlBatch<T> batch, ReadConsistency level = ReadConsistency.Weak, CancellationToken cancellationToken = default) =>
        batch.Read(await rqlite.QueryAsync(batch.Statements, level, cancellationToken));

    /// <inheritdoc cref="RqliteClient.QueryOrStaleAsync"/>
    public static async Task<T> QueryOrStaleAsync<T>(this RqliteClient rqlite, SqlQuery<T> query, CancellationToken cancellationToken = default) =>
        query.Read(await rqlite.QueryOrStaleAsync(query.Statement, cancellationToken));

    /// <summary>Asks one node, without failover: for checks about that node.</summary>
    public static async Task<T> QueryNodeAsync<T>(this RqliteClient rqlite, Uri node, SqlQuery<T> query, ReadConsistency level, CancellationToken cancellationToken = default) =>
        query.Read(await rqlite.QueryNodeAsync(node, query.Statement, level, cancellationToken));

    /// <summary>Writes and reads in one transaction through the unified endpoint.</summary>
    public static async Task<T> RequestAsync<T>(this RqliteClient rqlite, SqlBatch<T> batch, bool idempotent, CancellationToken cancellationToken = default) =>
        batch.Read(await rqlite.RequestAsync(batch.Statements, transaction: true, idempotent, cancellationToken));

    /// <summary>Writes in one transaction.</summary>
    public static async Task<T> ExecuteAsync<T>(this RqliteClient rqlite, SqlBatch<T> batch, bool idempotent, CancellationToken cancellationToken = default) =>
        batch.Read(await rqlite.ExecuteAsync(batch.Statements, transaction: true, idempotent, cancellationToken));
}
