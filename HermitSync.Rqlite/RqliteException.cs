namespace HermitSync.Rqlite;

/// <summary>rqlite refused a request, or a statement inside it failed.</summary>
public class RqliteException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A statement failed inside rqlite; in a transaction, none of the batch was applied.</summary>
public sealed class RqliteStatementException(int statementIndex, string sql, string error)
    : RqliteException($"Statement {statementIndex} failed: {error}")
{
    public int StatementIndex { get; } = statementIndex;

    public string Sql { get; } = sql;

    public string Error { get; } = error;

    public bool IsConstraintViolation => Error.Contains("constraint failed", StringComparison.OrdinalIgnoreCase);
}

/// <summary>No node could serve the request before the failover deadline.</summary>
public sealed class RqliteUnavailableException(string message, int reachableNodes, int totalNodes, Exception? inner = null)
    : RqliteException(message, inner)
{
    public int ReachableNodes { get; } = reachableNodes;

    public int TotalNodes { get; } = totalNodes;
}
