using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.AppHost.Site;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.Testing;

/// <summary>What a started AppHost declares, read from its model rather than restated by the tests.</summary>
public static class AppModel
{
    /// <summary>
    /// Every resource that runs or reports health once the app starts: all but the parameters and
    /// what starts only on demand (such as the rebuilder Aspire adds beside each project).
    /// </summary>
    public static IReadOnlyList<IResource> Resources(this DistributedApplication app) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Where(resource => resource is not ParameterResource && !resource.Annotations.OfType<ExplicitStartupAnnotation>().Any())
            .ToArray();

    /// <summary>Every resource that runs a process of its own: the rqlite nodes, Syncthing and the .NET services.</summary>
    public static IReadOnlyList<IResource> Processes(this DistributedApplication app) =>
        app.Resources().Where(resource => resource is ExecutableResource or ProjectResource).ToArray();

    /// <summary>A site's rqlite cluster; its <see cref="RqliteClusterResource.Nodes"/> name each node.</summary>
    public static RqliteClusterResource RqliteCluster(this DistributedApplication app, SiteSettings site) =>
        app.Resources().OfType<RqliteClusterResource>().Single(cluster => cluster.Name == site.ResourceName(SiteResource.Rqlite));
}
