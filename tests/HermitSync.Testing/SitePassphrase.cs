using System.Net.Http.Json;
using System.Text.Json;

namespace HermitSync.Testing;

/// <summary>Gives a started site its sync passphrase, as the Sync page's "Join" does: through <c>/api/sync/passphrase</c>.</summary>
public static class SitePassphrase
{
    /// <summary>Joins with <paramref name="passphrase"/> unless the site holds one already (a restarted stack keeps it).</summary>
    public static async Task JoinAsync(HttpClient api, string passphrase, CancellationToken cancellationToken)
    {
        var pairing = await api.GetFromJsonAsync<JsonElement>("/api/sync/pairing", cancellationToken);
        if (pairing.GetProperty("passphrase").GetProperty("isSet").GetBoolean())
        {
            return;
        }
        using var response = await api.PostAsJsonAsync("/api/sync/passphrase", new { passphrase }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The site refused the sync passphrase ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
