using HermitSync.Rqlite;

namespace HermitSync.Api.Schema;

/// <summary>
/// Brings the database up to the latest schema at start-up. Safe to run from several API
/// instances at once: each step is one transaction that also claims its version number.
/// </summary>
public sealed class SchemaMigrator(RqliteClient rqlite, ILogger<SchemaMigrator> logger)
{
    private static readonly SqlStatement CreateHistory = SqlStatement.Of(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");

    private static readonly SqlStatement ReadHistory = SqlStatement.Of("SELECT version FROM schema_migrations");

    public async Task<int> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken cancellationToken = default)
    {
        EnsureOrdered(migrations);
        await rqlite.ExecuteAsync(CreateHistory, idempotent: true, cancellationToken);
        var applied = await AppliedVersionsAsync(cancellationToken);

        var count = 0;
        foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)))
        {
            var statements = migration.Statements.Select(sql => SqlStatement.Of(sql))
                .Append(SqlStatement.Of(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    migration.Version, migration.Name, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
                .ToArray();
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

    private async Task<HashSet<long>> AppliedVersionsAsync(CancellationToken cancellationToken)
    {
        var result = await rqlite.QueryAsync(ReadHistory, ReadConsistency.Linearizable, cancellationToken);
        return result.Rows.Select(r => r.GetInt64(0)).ToHashSet();
    }

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
