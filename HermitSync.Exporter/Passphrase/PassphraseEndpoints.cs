using Microsoft.AspNetCore.Http.HttpResults;

namespace HermitSync.Exporter.Passphrase;

/// <summary>Where this site stands with the sync passphrase: which epoch it writes under, and which its peers write under that it lacks.</summary>
public sealed record PassphraseStatus(bool IsSet, string? Epoch, int Held, IReadOnlyList<NeededPassphrase> Needed)
{
    public static PassphraseStatus Of(SyncPassphrases passphrases) => new(
        passphrases.IsSet,
        passphrases.Writing?.Tag,
        passphrases.Epochs.Count,
        [.. passphrases.NeededBy.Select(n => new NeededPassphrase(n.Key, n.Value))]);
}

/// <summary>An epoch trusted sites write under that this site does not hold: their files wait for it.</summary>
public sealed record NeededPassphrase(string Epoch, IReadOnlyList<string> Sites);

public sealed record GeneratedPassphrase(string Passphrase);

/// <summary>
/// The exporter's passphrase API, called by the notes API on the Sync page's behalf. One request
/// sets the first passphrase, changes it (with the current one), or gives the site one its peers
/// changed to.
/// </summary>
public static class PassphraseEndpoints
{
    public static IEndpointRouteBuilder MapPassphraseEndpoints(this IEndpointRouteBuilder app)
    {
        var passphrase = app.MapGroup("/passphrase");
        passphrase.MapPost("/", Set);
        // A suggestion only: nothing is kept until it comes back confirmed.
        passphrase.MapPost("/generated", () => TypedResults.Ok(new GeneratedPassphrase(SyncPassphrases.Generate())));
        return app;
    }

    private static Results<NoContent, ValidationProblem> Set(PassphraseRequest request, SyncPassphrases passphrases)
    {
        var problem = request.Current is not null ? passphrases.Change(request.Current, request.Passphrase, request.Confirmation)
            : passphrases.IsSet ? passphrases.Add(request.Passphrase)
            : passphrases.Set(request.Passphrase, request.Confirmation);
        return problem is null
            ? TypedResults.NoContent()
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { [JsonName(problem.Field)] = [problem.Message] });
    }

    private static string JsonName(string field) => char.ToLowerInvariant(field[0]) + field[1..];
}
