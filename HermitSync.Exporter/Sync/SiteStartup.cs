using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// The site whose notes this exporter ships and into which it merges its peers'. The API
/// migrates the schema and creates the site id at its start, and the AppHost starts the
/// exporter only once the API is healthy, so here the id is read, never made.
/// </summary>
public sealed class SiteStartup(RqliteClient rqlite)
{
    private SiteIdentity? _site;

    public SiteIdentity Site => _site ?? throw new InvalidOperationException("The site is not read yet.");

    public async Task StartAsync(CancellationToken cancellationToken = default) =>
        _site = await SiteIdentity.ReadAsync(rqlite, cancellationToken)
            ?? throw new InvalidOperationException("This database has no site id yet. The API creates it at its start; run the exporter through the AppHost, which starts it after the API.");
}
