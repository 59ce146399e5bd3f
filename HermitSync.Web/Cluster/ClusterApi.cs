using System.Net.Http.Json;

namespace HermitSync.Web.Cluster;

public sealed record ClusterNode(string Id, string ApiAddress, string RaftAddress, bool Voter, bool Reachable, bool Leader, string? Error, long? AppliedIndex);

public sealed record ClusterStatus(string Health, string? Leader, int Reachable, int Total, IReadOnlyList<ClusterNode> Nodes, string? Problem);

public sealed class ClusterApi(HttpClient http)
{
    public async Task<ClusterStatus> GetAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<ClusterStatus>("/api/cluster", cancellationToken)
        ?? throw new InvalidOperationException("The API returned no cluster status.");
}
