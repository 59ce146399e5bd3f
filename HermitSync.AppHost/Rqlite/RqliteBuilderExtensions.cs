using System.Globalization;
using HermitSync.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>The rqlite cluster's resource graph: the cluster, its nodes in either form, and their health checks.</summary>
public static class RqliteBuilderExtensions
{
    /// <summary>
    /// Adds an rqlite cluster of <paramref name="nodeCount"/> voters, each an
    /// <c>rqlite/rqlite</c> container unless <see cref="RunAsExecutable"/> says otherwise. Node
    /// <c>i</c> serves HTTP on <c>firstPort + 2(i-1)</c> and Raft on the port after it. The ports
    /// are required and fixed because each node keeps its peers' addresses in its Raft state.
    /// Every <see cref="RqliteUser"/>'s password is derived from <paramref name="secret"/>.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> AddRqliteCluster(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource> secret,
        int firstPort,
        int nodeCount = 3)
    {
        var cluster = new RqliteClusterResource(name, secret.Resource, firstPort);
        var clusterBuilder = builder.AddResource(cluster)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RqliteCluster",
                State = KnownResourceStates.Waiting,
                Properties = [],
            });

        for (var i = 0; i < nodeCount; i++)
        {
            var node = new RqliteNodeContainerResource($"{name}-{i + 1}", cluster);
            cluster.NodeList.Add(node);
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(ReadinessCheckName(node), _ => new RqliteReadinessCheck(cluster, node.Name), null, null));
            AddContainerNode(builder, node, cluster.HttpPort(i));
        }

        var quorumCheck = $"{name}-quorum";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(quorumCheck, _ => new RqliteReadinessCheck(cluster, null), null, null));
        clusterBuilder.WithHealthCheck(quorumCheck);

        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>(async (_, cancellationToken) =>
            {
                RqliteDataDirectory.Prepare(builder, cluster);
                await RqliteAuthFile.WriteAsync(cluster, cancellationToken);
            });
        }
        builder.Eventing.Subscribe<InitializeResourceEvent>(cluster, (e, cancellationToken) =>
        {
            _ = RqliteClusterState.ReportRunningOnceNodesRunAsync(cluster, e.Notifications, e.Services);
            return Task.CompletedTask;
        });
        return clusterBuilder;
    }

    /// <summary>
    /// Runs every node as a local <c>rqlited</c> process instead of a container, for machines
    /// without a container runtime. The node resources are replaced under the same names, so call
    /// it before anything refers to a node.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> RunAsExecutable(this IResourceBuilder<RqliteClusterResource> builder, string rqlitedPath)
    {
        var cluster = builder.Resource;
        for (var i = 0; i < cluster.NodeList.Count; i++)
        {
            var node = new RqliteNodeExecutableResource(cluster.NodeList[i].Name, rqlitedPath, cluster);
            var httpPort = cluster.HttpPort(i);
            builder.ApplicationBuilder.Replace(cluster.NodeList[i], node)
                // rqlite advertises its own address to peers, so it must listen where peers connect: no proxy.
                .WithHttpEndpoint(port: httpPort, name: "http", isProxied: false)
                .WithEndpoint(port: httpPort + 1, name: "raft", scheme: "tcp", isProxied: false)
                .WithArgs(context => RqliteNodeArguments.ForExecutable(context, node))
                .WithGoRuntime(cluster)
                .WithHealthCheck(ReadinessCheckName(node));
            cluster.NodeList[i] = node;
        }
        return builder;
    }

    /// <summary>
    /// Keeps the cluster's state under <paramref name="directory"/>, across runs: the auth file,
    /// and each node's Raft log and SQLite file in a folder named after the node.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithDataDirectory(this IResourceBuilder<RqliteClusterResource> builder, string directory)
    {
        builder.Resource.DataDirectory = Path.GetFullPath(directory);
        return builder;
    }

    private static void AddContainerNode(IDistributedApplicationBuilder builder, RqliteNodeContainerResource node, int httpPort) =>
        builder.AddResource(node)
            .WithImage(RqliteContainerImageTags.Image, RqliteContainerImageTags.Tag)
            .WithImageRegistry(RqliteContainerImageTags.Registry)
            .WithHttpEndpoint(port: httpPort, targetPort: RqliteNodeArguments.ContainerHttpPort, name: "http")
            .WithEndpoint(port: httpPort + 1, targetPort: RqliteNodeArguments.ContainerRaftPort, name: "raft", scheme: "tcp")
            .WithEnvironment("DATA_DIR", RqliteNodeArguments.ContainerDataMount + "/data")
            .WithArgs(context => RqliteNodeArguments.ForContainer(context, node))
            .WithGoRuntime(node.Parent)
            .WithHealthCheck(ReadinessCheckName(node));

    private static IResourceBuilder<T> WithGoRuntime<T>(this IResourceBuilder<T> node, RqliteClusterResource cluster) where T : IResourceWithEnvironment =>
        node.WithEnvironment(context =>
        {
            context.EnvironmentVariables["GOGC"] = cluster.GoGcPercent.ToString(CultureInfo.InvariantCulture);
            context.EnvironmentVariables["MALLOC_ARENA_MAX"] = cluster.MallocArenas.ToString(CultureInfo.InvariantCulture);
        });

    private static string ReadinessCheckName(IRqliteNode node) => $"{node.Name}-ready";
}
