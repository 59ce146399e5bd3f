using System.Net.Http.Json;

namespace HermitSync.Web.Sync;

public sealed record SyncthingPeer(string DeviceId, string Name, IReadOnlyList<string> Addresses, bool Connected, bool Paused, string? Address, double Completion);

public sealed record PendingDevice(string DeviceId, string Name, string Address, DateTimeOffset Time);

public sealed record TrustedSiteStatus(string SiteId, string Fingerprint, string DeviceId, string? VouchedBy, long? RevokedAfter);

public sealed record NeededPassphrase(string Epoch, IReadOnlyList<string> Sites);

public sealed record PassphraseStatus(bool IsSet, string? Epoch, int Held, IReadOnlyList<NeededPassphrase> Needed);

public sealed record PairingStatus(string DeviceId, string Fingerprint, IReadOnlyList<SyncthingPeer> Peers, IReadOnlyList<PendingDevice> Pending,
    IReadOnlyList<TrustedSiteStatus> TrustedSites, IReadOnlyList<string> Disputed, IReadOnlyList<string> Waiting, PassphraseStatus Passphrase);

public sealed record GeneratedPassphrase(string Passphrase);

public sealed class SyncApi(HttpClient http)
{
    public async Task<SyncStatus> GetAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<SyncStatus>("/api/sync/status", cancellationToken)
        ?? throw new InvalidOperationException("The API returned no sync status.");

    public async Task<PairingStatus?> PairingAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync("/api/sync/pairing", cancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<PairingStatus>(cancellationToken) : null;
    }

    /// <summary>Pairs with a device; returns the API's complaint when it refuses.</summary>
    public async Task<string?> PairAsync(string deviceId, string? name, string? address, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/sync/peers", new { deviceId, name, address }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    public async Task<string?> UnpairAsync(string deviceId, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"/api/sync/peers/{Uri.EscapeDataString(deviceId)}", cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    public async Task<string?> IgnoreAsync(string deviceId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/sync/ignored", new { deviceId }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    /// <summary>A passphrase the exporter generated, not kept until it comes back confirmed; null when the exporter does not answer.</summary>
    public async Task<string?> GeneratePassphraseAsync(CancellationToken cancellationToken)
    {
        // The API takes a POST with a JSON body only, so a page on another site cannot send it unasked.
        using var response = await http.PostAsJsonAsync("/api/sync/passphrase/generated", new { }, cancellationToken);
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<GeneratedPassphrase>(cancellationToken))?.Passphrase : null;
    }

    /// <summary>Sets, changes (with <paramref name="current"/>) or adds a passphrase; returns the API's complaint when it refuses.</summary>
    public async Task<string?> SetPassphraseAsync(string? passphrase, string? confirmation, string? current, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/sync/passphrase", new { passphrase, confirmation, current }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    private static async Task<string?> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>(cancellationToken);
        return problem?.Errors.SelectMany(e => e.Value).FirstOrDefault() ?? problem?.Detail ?? problem?.Title ?? $"The request failed ({(int)response.StatusCode}).";
    }
}
