using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HermitSync.Rqlite;

/// <summary>
/// Healthy when every node is reachable and one leads; Degraded when a leader remains but a
/// node is missing; Unhealthy when there is no leader, so writes cannot succeed.
/// </summary>
public sealed class RqliteHealthCheck(RqliteClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<RqliteNode> nodes;
        try
        {
            nodes = await client.GetNodesAsync(cancellationToken);
        }
        catch (RqliteException e)
        {
            return HealthCheckResult.Unhealthy("No rqlite node answered.", e);
        }

        var reachable = nodes.Count(n => n.Reachable);
        var summary = $"{reachable} of {nodes.Count} nodes reachable";
        if (!nodes.Any(n => n.Leader && n.Reachable))
        {
            return HealthCheckResult.Unhealthy($"The cluster has no leader; {summary}.");
        }
        return reachable == nodes.Count
            ? HealthCheckResult.Healthy(summary)
            : HealthCheckResult.Degraded($"{summary}; down: {string.Join(", ", nodes.Where(n => !n.Reachable).Select(n => n.Id))}.");
    }
}
