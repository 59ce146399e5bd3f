namespace HermitSync.Exporter.Syncthing;

public sealed record PairingStatus(string DeviceId, IReadOnlyList<SyncthingPeer> Peers, IReadOnlyList<PendingDevice> Pending);

public sealed record PairRequest(string? DeviceId, string? Name, string? Address);

/// <summary>A device that asked to connect, to be ignored from now on.</summary>
public sealed record IgnoreRequest(string? DeviceId);

/// <summary>
/// The worker's own small API for pairing, called by the notes API on the web app's behalf:
/// this process is the one that manages Syncthing. Every device ID is checked before it goes
/// anywhere near Syncthing.
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
            if (!SyncthingDeviceId.TryParse(request.DeviceId, out var deviceId))
            {
                return NotADeviceId();
            }
            if (deviceId.ToString() == await syncthing.MyDeviceIdAsync(ct))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["deviceId"] = ["That is this machine's own device ID."] });
            }
            var address = request.Address?.Trim();
            if (!string.IsNullOrEmpty(address) && !address.StartsWith("tcp://", StringComparison.Ordinal) && !address.StartsWith("quic://", StringComparison.Ordinal))
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["address"] = ["An address looks like tcp://192.0.2.10:22000."] });
            }
            var name = string.IsNullOrWhiteSpace(request.Name) ? deviceId.ToString()[..7] : request.Name.Trim();
            await syncthing.PairAsync(deviceId, name, address, manager.FolderPath, ct);
            return Results.NoContent();
        });

        pairing.MapDelete("/peers/{deviceId}", async (string deviceId, SyncthingClient syncthing, CancellationToken ct) =>
        {
            if (!SyncthingDeviceId.TryParse(deviceId, out var peer))
            {
                return NotADeviceId();
            }
            await syncthing.UnpairAsync(peer, ct);
            return Results.NoContent();
        });

        pairing.MapPost("/ignored", async (IgnoreRequest request, SyncthingClient syncthing, CancellationToken ct) =>
        {
            if (!SyncthingDeviceId.TryParse(request.DeviceId, out var deviceId))
            {
                return NotADeviceId();
            }
            var pending = (await syncthing.PendingDevicesAsync(ct)).FirstOrDefault(p => p.DeviceId == deviceId.ToString());
            if (pending is null)
            {
                return Results.NotFound();
            }
            await syncthing.IgnoreAsync(pending, ct);
            return Results.NoContent();
        });
        return app;
    }

    private static IResult NotADeviceId() =>
        Results.ValidationProblem(new Dictionary<string, string[]>
        {
            ["deviceId"] = ["That is not a device ID: Syncthing shows it as eight groups of seven letters and digits, e.g. XXXXXXX-XXXXXXX-…"],
        });
}
