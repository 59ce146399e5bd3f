using HermitSync.Rqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// rqlite's <c>/readyz</c> needs credentials under <c>-auth</c>, so a plain HTTP health check
/// would only ever see 401. This asks, as the monitor user, one node's <c>/readyz</c>, or, for
/// the cluster, whether it has a leader and every member. The node is looked up by name at each check, because
/// <c>RunAsExecutable</c> replaces the node resources after the check is registered.
/// </summary>
internal sealed class RqliteReadinessCheck(RqliteClusterResource cluster, string? nodeName) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = await cluster.CreateClientAsync(RqliteUser.Monitor, cancellationToken);
        if (nodeName is null)
        {
            return await new RqliteHealthCheck(client).CheckHealthAsync(context, cancellationToken);
        }
        return await client.IsReadyAsync(new Uri(cluster.Node(nodeName).HttpEndpoint.Url), cancellationToken)
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"{nodeName} /readyz did not answer 200: the node is down or knows no leader.");
    }
}
