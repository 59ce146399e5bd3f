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
        pairing.MapDelete("/peers/{deviceId}", async (string deviceId, Pairing pairing, CancellationToken ct) =>
        {
            await pairing.UnpairAsync(deviceId, ct);
            return TypedResults.NoContent();
        });
        pairing.MapPost("/pending/{deviceId}/ignore", async Task<Results<NoContent, NotFound>> (string deviceId, Pairing pairing, CancellationToken ct) =>
            await pairing.IgnoreAsync(deviceId, ct) ? TypedResults.NoContent() : TypedResults.NotFound());
        return app;
    }

    private static async Task<Results<NoContent, ValidationProblem>> Pair(PairRequest request, Pairing pairing, CancellationToken cancellationToken) =>
        await pairing.PairAsync(request, cancellationToken) is { } problem
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { [problem.Field] = [problem.Message] })
            : TypedResults.NoContent();
}
