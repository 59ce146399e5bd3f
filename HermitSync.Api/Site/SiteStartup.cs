using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Api.Site;

/// <summary>
/// What must happen before the first request: the schema brought up to date, this site's id
/// created or read, and the clock moved past every stamp already stored. The API is the one
/// process that migrates; the exporter waits until it has.
/// </summary>
public sealed class SiteStartup(SchemaMigrator migrator, RqliteClient rqlite, HybridLogicalClock clock)
{
    private SiteIdentity? _site;

    public SiteIdentity Site => _site ?? throw new InvalidOperationException("The site is not started yet.");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await migrator.MigrateAsync(Migrations.All, cancellationToken);
        _site = await SiteIdentity.EnsureAsync(rqlite, cancellationToken);
        clock.Observe(await rqlite.QueryAsync(RevisionSql.NewestHlc, ReadConsistency.Linearizable, cancellationToken));
    }
}
