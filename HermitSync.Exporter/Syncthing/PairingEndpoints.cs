using Microsoft.AspNetCore.Http.HttpResults;

namespace HermitSync.Exporter.Syncthing;

/// <summary>
/// The exporter's own small API for pairing, called by the notes API on the web app's behalf:
/// this process is the one that manages Syncthing.
/// </summary>
public static class PairingEndpoints
{
    public static IEndpointRouteBuilder MapPairingEndpoints(this IEndpointRouteBuilder app)
    {
        var pairing = app.MapGroup("/pairing");
        pairing.MapGet("/", async (Pairing pairing, CancellationToken ct) => TypedResults.Ok(await pairing.StatusAsync(ct)));
        pairing.MapPost("/peers", Pair);
        pairing.MapDelete("/peers/{deviceId}", Unpair);
        pairing.MapPost("/ignored", Ignore);
        return app;
    }

    private static async Task<Results<NoContent, ValidationProblem>> Pair(PairRequest request, Pairing pairing, CancellationToken cancellationToken) =>
        await pairing.PairAsync(request, cancellationToken) is { } problem ? Invalid(problem) : TypedResults.NoContent();

    private static async Task<Results<NoContent, ValidationProblem>> Unpair(string deviceId, Pairing pairing, CancellationToken cancellationToken)
    {
        if (!SyncthingDeviceId.TryParse(deviceId, out var peer))
        {
            return Invalid(Pairing.NotADeviceId);
        }
        await pairing.UnpairAsync(peer, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Ignore(IgnoreRequest request, Pairing pairing, CancellationToken cancellationToken)
    {
        if (!SyncthingDeviceId.TryParse(request.DeviceId, out var deviceId))
        {
            return Invalid(Pairing.NotADeviceId);
        }
        return await pairing.IgnoreAsync(deviceId, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static ValidationProblem Invalid(PairingProblem problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem.Field] = [problem.Message] });
}
