using HermitSync.Rqlite;
using HermitSync.Sync;

namespace HermitSync.Api.Schema;

/// <summary>
/// What must happen before the first request: the schema brought up to date, this site's id
/// created or read, and the clock moved past every stamp already stored.
/// </summary>
public sealed class SiteStartup(SchemaMigrator migrator, RqliteClient rqlite, HybridLogicalClock clock)
{
    private SiteIdentity? _site;

    public SiteIdentity Site => _site ?? throw new InvalidOperationException("The site is not started yet.");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await migrator.MigrateAsync(Migrations.All, cancellationToken);
        _site = await SiteIdentity.EnsureAsync(rqlite, cancellationToken);
        var newest = await rqlite.QueryAsync(SqlStatement.Of("SELECT coalesce(max(hlc), 0) FROM note_revisions"), ReadConsistency.Linearizable, cancellationToken);
        clock.Observe(newest.Rows[0].GetInt64(0));
    }
}
