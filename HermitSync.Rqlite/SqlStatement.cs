namespace HermitSync.Rqlite;

/// <summary>
/// One SQL statement and its parameters, positional (<c>?</c>) or named (<c>:name</c>).
/// Values are bound by rqlite, never spliced into the SQL text.
/// </summary>
public sealed class SqlStatement
{
    private SqlStatement(string sql, IReadOnlyList<SqlValue> positional, IReadOnlyDictionary<string, SqlValue>? named)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        Sql = sql;
        Parameters = positional;
        NamedParameters = named;
    }

    public string Sql { get; }

    public IReadOnlyList<SqlValue> Parameters { get; }

    public IReadOnlyDictionary<string, SqlValue>? NamedParameters { get; }

    /// <summary>A statement with positional parameters, bound in order to each <c>?</c>.</summary>
    public static SqlStatement Of(string sql, params object?[] parameters) =>
        new(sql, parameters.Select(SqlValue.From).ToArray(), null);

    /// <summary>A statement with named parameters; names are given without their <c>:</c> prefix.</summary>
    public static SqlStatement Named(string sql, IReadOnlyDictionary<string, object?> parameters) =>
        new(sql, [], parameters.ToDictionary(p => p.Key, p => SqlValue.From(p.Value), StringComparer.Ordinal));

    public override string ToString() => Sql;
}
