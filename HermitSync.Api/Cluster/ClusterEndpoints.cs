using HermitSync.Rqlite;

namespace HermitSync.Api.Cluster;

public sealed record ClusterNode(string Id, string ApiAddress, string RaftAddress, bool Voter, bool Reachable, bool Leader, string? Error);

public sealed record ClusterStatus(string Health, string? Leader, int Reachable, int Total, IReadOnlyList<ClusterNode> Nodes, string? Problem);

public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", GetStatus).WithTags("Cluster").WithName("GetCluster");
        return app;
    }

    private static async Task<ClusterStatus> GetStatus(RqliteClient rqlite, CancellationToken cancellationToken)
    {
        try
        {
            var nodes = (await rqlite.GetNodesAsync(cancellationToken))
                .Select(n => new ClusterNode(n.Id, n.ApiAddress, n.RaftAddress, n.Voter, n.Reachable, n.Leader, n.Error))
                .ToArray();
            var leader = nodes.FirstOrDefault(n => n.Leader && n.Reachable)?.Id;
            var reachable = nodes.Count(n => n.Reachable);
            var health = leader is null ? "Unhealthy" : reachable == nodes.Length ? "Healthy" : "Degraded";
            return new ClusterStatus(health, leader, reachable, nodes.Length, nodes, leader is null ? "The cluster has no leader." : null);
        }
        catch (RqliteException e)
        {
            // Every configured node failed to answer: report them as the API knows them.
            var nodes = rqlite.Nodes
                .Select(uri => new ClusterNode(uri.Authority, uri.ToString(), "", Voter: true, Reachable: false, Leader: false, Error: "no answer"))
                .ToArray();
            return new ClusterStatus("Unhealthy", null, 0, nodes.Length, nodes, e.Message);
        }
    }
}
