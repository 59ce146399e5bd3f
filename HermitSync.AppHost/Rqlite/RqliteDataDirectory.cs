using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Settles, as the app starts, where the cluster keeps its state: the directory given to
/// <c>WithDataDirectory</c>, or else a new temporary one for this run, so nodes that Aspire
/// restarts during the run find their data while nothing outlives the AppHost, as with a
/// container without a volume.
/// </summary>
internal static class RqliteDataDirectory
{
    public static void Prepare(IDistributedApplicationBuilder builder, RqliteClusterResource cluster)
    {
        cluster.DataDirectory ??= Directory.CreateTempSubdirectory($"{cluster.Name}-").FullName;
        OwnerOnly.CreateDirectory(cluster.DataDirectory);
        foreach (var container in cluster.NodeList.OfType<RqliteNodeContainerResource>())
        {
            var nodeDirectory = cluster.NodeDirectory(container);
            OwnerOnly.CreateDirectory(nodeDirectory);
            builder.CreateResourceBuilder(container)
                .WithBindMount(nodeDirectory, RqliteNodeArguments.ContainerDataMount)
                .WithBindMount(cluster.AuthFile, RqliteNodeArguments.ContainerAuthFile, isReadOnly: true);
        }
    }
}
