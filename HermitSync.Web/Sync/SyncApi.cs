using System.Net.Http.Json;

namespace HermitSync.Web.Sync;

public sealed record SyncthingPeer(string DeviceId, string Name, IReadOnlyList<string> Addresses, bool Connected, bool Paused, string? Address, double Completion);

public sealed record PendingDevice(string DeviceId, string Name, string Address, DateTimeOffset Time);

public sealed record TrustedSiteStatus(string SiteId, string Fingerprint, string DeviceId, string? VouchedBy, long? RevokedAfter);

public sealed record PairingStatus(string DeviceId, string Fingerprint, IReadOnlyList<SyncthingPeer> Peers, IReadOnlyList<PendingDevice> Pending,
    IReadOnlyList<TrustedSiteStatus> TrustedSites, IReadOnlyList<string> Disputed, IReadOnlyList<string> Waiting);

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
