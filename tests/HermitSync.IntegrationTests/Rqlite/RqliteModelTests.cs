using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

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
    public void Choosing_the_form_after_something_waits_for_a_node_fails_while_the_model_is_built()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var cluster = builder.AddRqliteCluster("rqlite", builder.AddParameter("password", secret: true), firstPort: 4001);
        builder.AddExecutable("watcher", "true", ".").WaitFor(builder.CreateResourceBuilder(cluster.Resource.Nodes[0]));

        var error = Assert.Throws<InvalidOperationException>(() => cluster.RunAsExecutable("/opt/rqlited"));

        Assert.Contains("'watcher' already refers to 'rqlite-1'", error.Message);
    }
}
