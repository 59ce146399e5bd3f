using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Testing;

namespace HermitSync.IntegrationTests.Rqlite;

/// <summary>A real three-node rqlited cluster shared by a test class.</summary>
public sealed class RqliteClusterFixture : IAsyncLifetime
{
    public LocalRqliteCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalRqliteCluster.StartAsync(Repository.Rqlited);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
