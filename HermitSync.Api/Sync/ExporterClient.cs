using System.Net.Http.Json;

namespace HermitSync.Api.Sync;

/// <summary>
/// The exporter's pairing and passphrase API. The exporter is the one process that manages
/// Syncthing and seals files; the API passes these requests on to it, so the web app still talks
/// to the API alone. And the hint that this site wrote something to export (<see cref="ExportHints"/>).
/// </summary>
public sealed class ExporterClient(HttpClient http)
{
    public Task<IResult> PairingAsync(CancellationToken cancellationToken) =>
        ForwardAsync(new HttpRequestMessage(HttpMethod.Get, "/pairing"), cancellationToken);

    public Task<IResult> PairAsync(PairRequest request, CancellationToken cancellationToken) =>
        ForwardAsync(new HttpRequestMessage(HttpMethod.Post, "/pairing/peers") { Content = JsonContent.Create(request) }, cancellationToken);

    public Task<IResult> UnpairAsync(string deviceId, CancellationToken cancellationToken) =>
        ForwardAsync(new HttpRequestMessage(HttpMethod.Delete, $"/pairing/peers/{Uri.EscapeDataString(deviceId)}"), cancellationToken);

    public Task<IResult> IgnoreAsync(IgnoreRequest request, CancellationToken cancellationToken) =>
        ForwardAsync(new HttpRequestMessage(HttpMethod.Post, "/pairing/ignored") { Content = JsonContent.Create(request) }, cancellationToken);

    public Task<IResult> SetPassphraseAsync(PassphraseRequest request, CancellationToken cancellationToken) =>
        ForwardAsync(new HttpRequestMessage(HttpMethod.Post, "/passphrase") { Content = JsonContent.Create(request) }, cancellationToken);

    public Task<IResult> GeneratePassphraseAsync(CancellationToken cancellationToken) =>
        ForwardAsync(new HttpRequestMessage(HttpMethod.Post, "/passphrase/generated"), cancellationToken);

    /// <summary>
    /// Tells the exporter this site wrote something, so it exports and seals it now. Only a hint:
    /// the exporter also looks on its own, so a failure here changes nothing but how soon.
    /// </summary>
    public async Task ChangesWrittenAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(HintTimeout);
            using var response = await http.PostAsync("/sync/changes-written", content: null, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
    }

    private static readonly TimeSpan HintTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Passes the exporter's answer through: its status, and its JSON or ProblemDetails body.</summary>
    private async Task<IResult> ForwardAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                return TypedResults.Problem($"The exporter did not answer: {e.Message}", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Sync is unavailable.");
            }
            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                return body.Length == 0
                    ? TypedResults.StatusCode((int)response.StatusCode)
                    : TypedResults.Content(body, response.Content.Headers.ContentType?.ToString() ?? "application/json", statusCode: (int)response.StatusCode);
            }
        }
    }
}

public sealed record PairRequest(string? DeviceId, string? Name, string? Address);

/// <summary>A device that asked to connect, to be ignored from now on.</summary>
public sealed record IgnoreRequest(string? DeviceId);

/// <summary>Sets the first sync passphrase, changes it (with <see cref="Current"/>), or gives the site one its peers changed to.</summary>
public sealed record PassphraseRequest(string? Passphrase, string? Confirmation = null, string? Current = null);
