using HermitSync.Rqlite;

namespace HermitSync.Bench;

public static class RqliteQueries
{
    /// <summary>The one number a query such as <c>SELECT count(*)</c> returns.</summary>
    public static async Task<long> ScalarAsync(this RqliteClient rqlite, string sql, params object?[] parameters) =>
        (await rqlite.QueryAsync(SqlStatement.Of(sql, parameters))).Rows[0].GetInt64(0);
}
