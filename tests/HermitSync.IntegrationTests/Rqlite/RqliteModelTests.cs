using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;

namespace HermitSync.IntegrationTests.Rqlite;

/// <summary>The app model the rqlite integration builds, read without starting anything.</summary>
public sealed class RqliteModelTests
{
    [Fact]
    public void Nodes_are_containers_of_the_pinned_image_until_RunAsExecutable_swaps_them_for_processes()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var cluster = builder.AddRqliteCluster("rqlite", builder.AddParameter("password", secret: true), firstPort: 4001);
        var images = cluster.Resource.Nodes.Select(node => node.Annotations.OfType<ContainerImageAnnotation>().Single()).ToArray();

        cluster.RunAsExecutable("/opt/rqlited");

        Assert.All(images, image => Assert.Equal((RqliteContainerImageTags.Image, RqliteContainerImageTags.Tag), (image.Image, image.Tag)));
        Assert.Equal(["rqlite-1", "rqlite-2", "rqlite-3"], cluster.Resource.Nodes.Select(node => node.Name));
        Assert.All(cluster.Resource.Nodes, node => Assert.Equal("/opt/rqlited", Assert.IsType<RqliteNodeExecutableResource>(node).Command));
        Assert.Equal(cluster.Resource.Nodes, builder.Resources.OfType<IRqliteNode>());
        Assert.Empty(builder.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task Every_node_in_either_form_runs_with_the_clusters_memory_settings()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var cluster = builder.AddRqliteCluster("rqlite", builder.AddParameter("password", secret: true), firstPort: 4001);
        cluster.Resource.GoGcPercent = 40;
        cluster.Resource.MallocArenas = 2;
        var containers = await EnvironmentsAsync(cluster.Resource);

        cluster.RunAsExecutable("/opt/rqlited");
        var executables = await EnvironmentsAsync(cluster.Resource);

        Assert.All(containers.Concat(executables), environment =>
        {
            Assert.Equal("40", environment["GOGC"]);
            Assert.Equal("2", environment["MALLOC_ARENA_MAX"]);
        });
        Assert.Equal(6, containers.Length + executables.Length);
    }

    /// <summary>Each node's environment as its callbacks write it for a run.</summary>
    private static async Task<Dictionary<string, object>[]> EnvironmentsAsync(RqliteClusterResource cluster) =>
        await Task.WhenAll(cluster.Nodes.Select(RunEnvironment.OfAsync));

    [Fact]
    public void Choosing_the_form_after_something_waits_for_a_node_fails_while_the_model_is_built()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var cluster = builder.AddRqliteCluster("rqlite", builder.AddParameter("password", secret: true), firstPort: 4001);
        builder.AddExecutable("watcher", "true", ".").WaitFor(builder.CreateResourceBuilder(cluster.Resource.Nodes[0]));

        var error = Assert.Throws<InvalidOperationException>(() => cluster.RunAsExecutable("/opt/rqlited"));

        Assert.Contains("'watcher' already refers to 'rqlite-1'", error.Message);
    }
}
