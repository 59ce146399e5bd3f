using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// The site whose notes this exporter ships and into which it merges its peers'. The API
/// migrates the schema and creates the site id at its start; the AppHost starts the exporter
/// beside it, so here the exporter waits until both are done, and reads the id, never makes it.
/// </summary>
public sealed class SiteStartup(RqliteClient rqlite, SchemaMigrator migrator, IOptions<SyncOptions> options, ILogger<SiteStartup> logger)
{
    private SiteIdentity? _site;

    public SiteIdentity Site => _site ?? throw new InvalidOperationException("The site is not read yet.");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; (_site = await TryReadAsync(cancellationToken)) is null; attempt++)
        {
            if (attempt == 0)
            {
                logger.LogInformation("Waiting for the API to bring the schema up to date and make the site id");
            }
            await Task.Delay(options.Value.SiteWaitInterval, cancellationToken);
        }
    }

    private async Task<SiteIdentity?> TryReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await migrator.IsCurrentAsync(Migrations.All, cancellationToken)
                ? await SiteIdentity.ReadAsync(rqlite, cancellationToken)
                : null;
        }
        catch (RqliteUnavailableException e)
        {
            logger.LogWarning("rqlite is not serving yet; the exporter waits for it: {Reason}", e.Message);
            return null;
        }
    }
}
