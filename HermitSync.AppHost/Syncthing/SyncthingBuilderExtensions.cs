using HermitSync.AppHost.Site;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.ApplicationModel;

public static class SyncthingBuilderExtensions
{
    public const string Image = "syncthing/syncthing";
    public const string ImageTag = "1.19.2";
    private const int ContainerGuiPort = 8384;
    private const int ContainerListenPort = 22000;

    /// <summary>
    /// Adds Syncthing with its REST API on <paramref name="guiPort"/> and the sync protocol on
    /// <paramref name="listenPort"/>, both on loopback, with discovery, relays, NAT, usage and
    /// crash reporting and upgrades off.
    /// </summary>
    public static IResourceBuilder<ISyncthingResource> AddSyncthing(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource> apiKey,
        RuntimeMode runtime,
        int guiPort,
        int listenPort)
    {
        IResourceBuilder<ISyncthingResource> syncthing = runtime == RuntimeMode.Container
            ? AddContainer(builder, name, apiKey.Resource, guiPort, listenPort)
            : AddExecutable(builder, name, apiKey.Resource, guiPort, listenPort);

        var healthKey = $"{name}-ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthKey, _ => new SyncthingPingCheck(syncthing.Resource), null, null));
        return syncthing
            .WithEnvironment("STGUIAPIKEY", apiKey.Resource)
            .WithEnvironment("STNOUPGRADE", "1")
            .WithEnvironment("STNODEFAULTFOLDER", "1")
            .WithHealthCheck(healthKey);
    }

    /// <summary>
    /// Keeps Syncthing's identity (its key and certificate) in <paramref name="homeDirectory"/>,
    /// so the device ID survives restarts, and shares <paramref name="syncFolder"/>.
    /// </summary>
    public static IResourceBuilder<ISyncthingResource> WithDataDirectory(
        this IResourceBuilder<ISyncthingResource> builder, string homeDirectory, string syncFolder, string configTemplate, DiscoveryMode discovery = DiscoveryMode.Off)
    {
        homeDirectory = Path.GetFullPath(homeDirectory);
        Directory.CreateDirectory(syncFolder);
        switch (builder.Resource)
        {
            case SyncthingResource executable:
                executable.HomeDirectory = homeDirectory;
                executable.FolderPath = Path.GetFullPath(syncFolder);
                var listenPort = executable.Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == "sync").Port!.Value;
                builder.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(executable, (_, _) =>
                {
                    SyncthingConfigSeed.Apply(configTemplate, homeDirectory, listenPort, discovery);
                    return Task.CompletedTask;
                });
                break;
            case SyncthingContainerResource container:
                SyncthingConfigSeed.Apply(configTemplate, Path.Combine(homeDirectory, "config"), ContainerListenPort, discovery);
                builder.ApplicationBuilder.CreateResourceBuilder(container)
                    .WithBindMount(homeDirectory, "/var/syncthing")
                    .WithBindMount(Path.GetFullPath(syncFolder), SyncthingContainerResource.ContainerFolderPath);
                break;
        }
        return builder;
    }

    private static IResourceBuilder<ISyncthingResource> AddExecutable(
        IDistributedApplicationBuilder builder, string name, ParameterResource apiKey, int guiPort, int listenPort)
    {
        var syncthing = new SyncthingResource(name, apiKey);
        var resource = builder.AddResource(syncthing)
            .WithHttpEndpoint(port: guiPort, name: "http", isProxied: false)
            .WithEndpoint(port: listenPort, name: "sync", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("serve");
                context.Args.Add("--no-browser");
                context.Args.Add("--no-restart");
                context.Args.Add("--home");
                context.Args.Add(syncthing.HomeDirectory ?? throw new InvalidOperationException($"Call WithDataDirectory on '{name}' first."));
                context.Args.Add("--gui-address");
                context.Args.Add(ReferenceExpression.Create($"http://127.0.0.1:{syncthing.GuiEndpoint.Property(EndpointProperty.Port)}"));
            });
        return builder.CreateResourceBuilder<ISyncthingResource>(resource.Resource);
    }

    private static IResourceBuilder<ISyncthingResource> AddContainer(
        IDistributedApplicationBuilder builder, string name, ParameterResource apiKey, int guiPort, int listenPort)
    {
        var resource = builder.AddResource(new SyncthingContainerResource(name, apiKey))
            .WithImage(Image, ImageTag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(port: guiPort, targetPort: ContainerGuiPort, name: "http")
            .WithEndpoint(port: listenPort, targetPort: ContainerListenPort, name: "sync", scheme: "tcp")
            // The published port is what keeps it on the host's loopback; inside, it must listen on all interfaces.
            .WithEnvironment("STGUIADDRESS", "0.0.0.0:" + ContainerGuiPort);
        return builder.CreateResourceBuilder<ISyncthingResource>(resource.Resource);
    }
}
