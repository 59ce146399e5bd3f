using HermitSync.Exporter.Syncthing;
using HermitSync.Exporter.Trust;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// The site whose notes this exporter ships and into which it merges its peers'. The API
/// migrates the schema and creates the site id at its start; the AppHost starts the exporter
/// beside it, so here the exporter waits until both are done, and reads the id, never makes it.
/// Then it loads the site's signing key (made at the first start) and the keys it trusts.
/// </summary>
public sealed class SiteStartup(RqliteClient rqlite, SchemaMigrator migrator, SyncthingClient syncthing, IOptions<SyncOptions> options, ILogger<SiteStartup> logger)
{
    private SiteIdentity? _site;
    private SiteSigningKey? _signer;
    private TrustedSites? _trusted;

    public SiteIdentity Site => _site ?? throw new InvalidOperationException("The site is not read yet.");

    public SiteSigningKey Signer => _signer ?? throw new InvalidOperationException("The site's key is not loaded yet.");

    public TrustedSites Trusted => _trusted ?? throw new InvalidOperationException("The site's trusted keys are not loaded yet.");

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
        _signer = SiteSigningKey.LoadOrCreate(options.Value.IdentityFolder);
        // The files this site wrote before it had a key stay readable, unsigned; none after them.
        var writtenBefore = (await rqlite.QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Strong, cancellationToken)).LastFileSeq;
        var device = await syncthing.MyDeviceIdAsync(cancellationToken);
        _trusted = TrustedSites.Load(options.Value.IdentityFolder, new SiteKeyStatement(_site.SiteId, device, _signer.PublicKey, writtenBefore));
        logger.LogInformation("This site signs its files with key {Fingerprint}", _signer.Fingerprint);
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
