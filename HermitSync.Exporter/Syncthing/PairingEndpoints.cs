namespace HermitSync.Exporter.Syncthing;

public sealed record PairingStatus(string DeviceId, IReadOnlyList<SyncthingPeer> Peers, IReadOnlyList<PendingDevice> Pending);

public sealed record PairRequest(string? DeviceId, string? Name, string? Address);

/// <summary>
/// The worker's own small API for pairing, called by the notes API on the web app's behalf:
/// this process is the one that manages Syncthing.
/// </summary>
public static class PairingEndpoints
{
    public static IEndpointRouteBuilder MapPairingEndpoints(this IEndpointRouteBuilder app)
    {
        var pairing = app.MapGroup("/pairing");
        pairing.MapGet("/", async (SyncthingClient syncthing, CancellationToken ct) =>
            new PairingStatus(await syncthing.MyDeviceIdAsync(ct), await syncthing.PeersAsync(ct), await syncthing.PendingDevicesAsync(ct)));

        pairing.MapPost("/peers", async (PairRequest request, SyncthingClient syncthing, SyncthingManager manager, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.DeviceId))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["deviceId"] = ["Enter the other machine's Syncthing device ID."] });
            }
            var (deviceId, error) = await syncthing.ValidateDeviceIdAsync(request.DeviceId.Trim(), ct);
            if (deviceId is null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["deviceId"] = [$"Syncthing says this is not a device ID: {error}."] });
            }
            if (deviceId == await syncthing.MyDeviceIdAsync(ct))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["deviceId"] = ["That is this machine's own device ID."] });
            }
            var address = request.Address?.Trim();
            if (!string.IsNullOrEmpty(address) && !address.StartsWith("tcp://", StringComparison.Ordinal) && !address.StartsWith("quic://", StringComparison.Ordinal))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["address"] = ["An address looks like tcp://192.0.2.10:22000."] });
            }
            await syncthing.PairAsync(deviceId, string.IsNullOrWhiteSpace(request.Name) ? deviceId[..7] : request.Name.Trim(), address, manager.FolderPath, ct);
            return Results.NoContent();
        });

        pairing.MapDelete("/peers/{deviceId}", async (string deviceId, SyncthingClient syncthing, CancellationToken ct) =>
        {
            await syncthing.UnpairAsync(deviceId, ct);
            return Results.NoContent();
        });

        pairing.MapPost("/pending/{deviceId}/ignore", async (string deviceId, SyncthingClient syncthing, CancellationToken ct) =>
        {
            var pending = (await syncthing.PendingDevicesAsync(ct)).FirstOrDefault(p => p.DeviceId == deviceId);
            if (pending is null)
            {
                return Results.NotFound();
            }
            await syncthing.IgnoreAsync(pending, ct);
            return Results.NoContent();
        });
        return app;
    }
}
