using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Pings <c>/rest/system/ping</c> with the API key in a header, never in the URL. Syncthing also
/// has an unauthenticated <c>/rest/noauth/health</c>, but this proves the key the exporter uses
/// is accepted as well.
/// </summary>
internal sealed class SyncthingPingCheck(ISyncthingResource syncthing) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(syncthing.GuiEndpoint.Url), "/rest/system/ping"));
        request.Headers.Add("X-API-Key", await syncthing.Settings.ApiKey.GetValueAsync(cancellationToken));
        try
        {
            using var response = await Http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"/rest/system/ping answered {(int)response.StatusCode}.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Syncthing's REST API did not answer.", e);
        }
    }
}
