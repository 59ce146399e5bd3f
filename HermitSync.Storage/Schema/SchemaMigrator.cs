using HermitSync.Rqlite;
using Microsoft.Extensions.Logging;

namespace HermitSync.Storage;

/// <summary>
/// Brings the database up to the latest schema. The API runs it at start-up, before it serves,
/// and the exporter waits until the API has (<see cref="IsCurrentAsync"/>). Safe to run from
/// several instances at once: each step is one transaction that also claims its version number.
/// </summary>
public sealed class SchemaMigrator(RqliteClient rqlite, ILogger<SchemaMigrator> logger)
{
    private static readonly SqlStatement CreateHistory = SqlStatement.Of(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");

    private static readonly SqlQuery<IReadOnlyList<long>> AppliedVersions =
        SqlQuery.Rows(SqlStatement.Of("SELECT version FROM schema_migrations"), row => row.GetInt64(0));

    private static SqlStatement RecordApplied(Migration migration) => SqlStatement.Of(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
        migration.Version, migration.Name, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    public async Task<int> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        EnsureOrdered(migrations);
        await rqlite.ExecuteAsync(CreateHistory, idempotent: true, cancellationToken);
        var applied = await AppliedVersionsAsync(cancellationToken);

        var count = 0;
        foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)))
        {
            var statements = migration.Statements.Select(sql => SqlStatement.Of(sql)).Append(RecordApplied(migration)).ToArray();
            try
            {
                await rqlite.ExecuteAsync(statements, transaction: true, cancellationToken: cancellationToken);
                logger.LogInformation("Applied schema migration {Version} ({Name})", migration.Version, migration.Name);
                count++;
            }
            catch (RqliteStatementException)
            {
                if (!(await AppliedVersionsAsync(cancellationToken)).Contains(migration.Version))
                {
                    throw;
                }
                logger.LogInformation("Schema migration {Version} was applied by another instance", migration.Version);
            }
        }
        return count;
    }

    /// <summary>Whether every one of <paramref name="migrations"/> has been applied; false before the first.</summary>
    public async Task<bool> IsCurrentAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        try
        {
            var applied = await AppliedVersionsAsync(cancellationToken);
            return migrations.All(m => applied.Contains(m.Version));
        }
        catch (RqliteStatementException e) when (e.Error.Contains("no such table", StringComparison.Ordinal))
        {
            return false;
        }
    }

    private async Task<HashSet<long>> AppliedVersionsAsync(CancellationToken cancellationToken) =>
        (await rqlite.QueryAsync(AppliedVersions, ReadConsistency.Linearizable, cancellationToken)).ToHashSet();

    internal static void EnsureOrdered(IReadOnlyList<Migration> migrations)
    {
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migration versions must run 1, 2, 3, … without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }
    }
}
