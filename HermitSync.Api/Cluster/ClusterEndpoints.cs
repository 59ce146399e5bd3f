using HermitSync.Rqlite;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HermitSync.Api.Cluster;

/// <summary>One node as the cluster sees it; <see cref="AppliedIndex"/> is how far it has applied the Raft log.</summary>
public sealed record ClusterNode(string Id, string ApiAddress, string RaftAddress, bool Voter, bool Reachable, bool Leader, string? Error, long? AppliedIndex = null);

public sealed record ClusterStatus(string Health, string? Leader, int Reachable, int Total, IReadOnlyList<ClusterNode> Nodes, string? Problem);

public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/cluster", GetStatus).WithTags("Cluster").WithName("GetCluster");
        return app;
    }

    private static async Task<Ok<ClusterStatus>> GetStatus(RqliteClient rqlite, CancellationToken cancellationToken) =>
        TypedResults.Ok(await ReadStatusAsync(rqlite, cancellationToken));

    private static async Task<ClusterStatus> ReadStatusAsync(RqliteClient rqlite, CancellationToken cancellationToken)
    {
        try
        {
            var nodes = await Task.WhenAll((await rqlite.GetNodesAsync(cancellationToken)).Select(async n =>
                new ClusterNode(n.Id, n.ApiAddress, n.RaftAddress, n.Voter, n.Reachable, n.Leader, n.Error,
                    n.Reachable && Uri.TryCreate(n.ApiAddress, UriKind.Absolute, out var address) ? await rqlite.GetAppliedIndexAsync(address, cancellationToken) : null)));
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
