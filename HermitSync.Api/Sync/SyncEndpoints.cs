using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HermitSync.Api.Sync;

public static class SyncEndpoints
{
    private const int RecentRejections = 50;

    /// <summary>
    /// The sync status is read from the ledger in rqlite, which the exporter keeps; pairing is
    /// the exporter's, and so is the passphrase, reached over HTTP (the AppHost gives the API its address).
    /// </summary>
    public static IEndpointRouteBuilder MapSyncEndpoints(this IEndpointRouteBuilder app)
    {
        var sync = app.MapGroup("/api/sync").WithTags("Sync");
        sync.MapGet("/status", GetStatus).WithName("GetSyncStatus");
        sync.MapGet("/pairing", (ExporterClient exporter, CancellationToken ct) => exporter.PairingAsync(ct)).WithName("GetPairing");
        sync.MapPost("/peers", (PairRequest request, ExporterClient exporter, CancellationToken ct) => exporter.PairAsync(request, ct)).WithName("PairPeer");
        sync.MapDelete("/peers/{deviceId}", (string deviceId, ExporterClient exporter, CancellationToken ct) => exporter.UnpairAsync(deviceId, ct)).WithName("UnpairPeer");
        sync.MapPost("/ignored", (IgnoreRequest request, ExporterClient exporter, CancellationToken ct) => exporter.IgnoreAsync(request, ct)).WithName("IgnorePendingDevice");
        sync.MapPost("/passphrase", (PassphraseRequest request, ExporterClient exporter, CancellationToken ct) => exporter.SetPassphraseAsync(request, ct)).WithName("SetPassphrase");
        sync.MapPost("/passphrase/generated", (ExporterClient exporter, CancellationToken ct) => exporter.GeneratePassphraseAsync(ct)).WithName("GeneratePassphrase");
        return app;
    }

    private static async Task<Ok<SyncStatus>> GetStatus(RqliteClient rqlite, SiteIdentity site, CancellationToken cancellationToken) =>
        TypedResults.Ok(await rqlite.QueryAsync(SyncLedgerSql.Status(site.SiteId, RecentRejections), ReadConsistency.Weak, cancellationToken));
}
