using System.Globalization;
using HermitSync.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>Syncthing's resource graph: the resource in either form, its endpoints and its health check.</summary>
public static class SyncthingBuilderExtensions
{
    /// <summary>
    /// Adds Syncthing, a <c>syncthing/syncthing</c> container unless <see cref="RunAsExecutable"/>
    /// says otherwise, with its REST API and GUI on <paramref name="guiPort"/> and the sync protocol
    /// on <paramref name="listenPort"/>, both on loopback. The REST API takes
    /// <paramref name="apiKey"/>; the GUI asks for <paramref name="guiUser"/> and
    /// <paramref name="guiPassword"/>. Discovery, relays, NAT, usage and crash reporting and
    /// upgrades are off unless <see cref="WithDiscovery"/> turns discovery on.
    /// </summary>
    public static IResourceBuilder<ISyncthingResource> AddSyncthing(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource> apiKey,
        IResourceBuilder<ParameterResource> guiUser,
        IResourceBuilder<ParameterResource> guiPassword,
        int guiPort,
        int listenPort)
    {
        var settings = new SyncthingSettings(apiKey.Resource, guiUser.Resource, guiPassword.Resource, guiPort, listenPort);
        // Looked up by name at each check: RunAsExecutable replaces the resource after the check is registered.
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(PingCheckName(name),
            services => new SyncthingPingCheck(services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ISyncthingResource>().Single(r => r.Name == name)),
            null, null));
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((e, _) =>
            {
                SyncthingDataDirectory.Prepare(builder, e.Model.Resources.OfType<ISyncthingResource>().Single(r => r.Name == name));
                return Task.CompletedTask;
            });
        }

        var container = new SyncthingContainerResource(name, settings);
        return Configure(builder.AddResource(container)
            .WithImage(SyncthingContainerImageTags.Image, SyncthingContainerImageTags.Tag)
            .WithImageRegistry(SyncthingContainerImageTags.Registry)
            .WithHttpEndpoint(port: guiPort, targetPort: SyncthingContainerResource.ContainerGuiPort, name: "http")
            .WithEndpoint(port: listenPort, targetPort: SyncthingContainerResource.ContainerListenPort, name: "sync", scheme: "tcp")
            // The published port is what keeps it on the host's loopback; inside, it must listen on all interfaces.
            .WithEnvironment("STGUIADDRESS", "0.0.0.0:" + SyncthingContainerResource.ContainerGuiPort));
    }

    /// <summary>
    /// Runs Syncthing as a local process instead of a container, for machines without a container
    /// runtime. The resource is replaced under the same name: use the builder this returns, and
    /// call it before anything references Syncthing.
    /// </summary>
    public static IResourceBuilder<ISyncthingResource> RunAsExecutable(this IResourceBuilder<ISyncthingResource> builder, string syncthingPath)
    {
        var settings = builder.Resource.Settings;
        var executable = new SyncthingExecutableResource(builder.Resource.Name, syncthingPath, settings);
        return Configure(builder.ApplicationBuilder.Replace(builder.Resource, executable)
            // Syncthing announces its own listen address to peers, so no proxy stands in between.
            .WithHttpEndpoint(port: settings.GuiPort, name: "http", isProxied: false)
            .WithEndpoint(port: settings.ListenPort, name: "sync", scheme: "tcp", isProxied: false)
            .WithArgs(context => SyncthingArguments.ForExecutable(context, executable)));
    }

    /// <summary>
    /// Keeps Syncthing's identity (its key and certificate), configuration and index under
    /// <paramref name="homeDirectory"/>, so the device ID survives restarts of the AppHost.
    /// </summary>
    public static IResourceBuilder<ISyncthingResource> WithDataDirectory(this IResourceBuilder<ISyncthingResource> builder, string homeDirectory)
    {
        builder.Resource.Settings.HomeDirectory = Path.GetFullPath(homeDirectory);
        return builder;
    }

    /// <summary>Has Syncthing share <paramref name="folder"/>; whoever configures the folder in Syncthing uses <see cref="ISyncthingResource.FolderPath"/>.</summary>
    public static IResourceBuilder<ISyncthingResource> WithSharedFolder(this IResourceBuilder<ISyncthingResource> builder, string folder)
    {
        builder.Resource.Settings.SharedFolder = Path.GetFullPath(folder);
        return builder;
    }

    /// <summary>Starts a new home from <paramref name="templatePath"/>, a <c>config.xml</c>, rather than from Syncthing's defaults.</summary>
    public static IResourceBuilder<ISyncthingResource> WithConfigTemplate(this IResourceBuilder<ISyncthingResource> builder, string templatePath)
    {
        builder.Resource.Settings.ConfigTemplate = Path.GetFullPath(templatePath);
        return builder;
    }

    /// <summary>Lets Syncthing find peers on the LAN, or across the internet with relays and NAT traversal; the default is off.</summary>
    public static IResourceBuilder<ISyncthingResource> WithDiscovery(this IResourceBuilder<ISyncthingResource> builder, SyncthingDiscovery discovery)
    {
        builder.Resource.Settings.Discovery = discovery;
        return builder;
    }

    /// <summary>
    /// Where the sync protocol listens: <c>0.0.0.0</c> for every interface, so other machines can
    /// connect, or one address of this machine. The REST API and GUI stay on loopback whatever it is.
    /// </summary>
    public static IResourceBuilder<ISyncthingResource> WithListenAddress(this IResourceBuilder<ISyncthingResource> builder, System.Net.IPAddress address)
    {
        builder.Resource.Settings.ListenAddress = address;
        return builder;
    }

    /// <summary>What both forms share: the config seeded before every start, the environment (Go's too) and the health check.</summary>
    private static IResourceBuilder<ISyncthingResource> Configure<T>(IResourceBuilder<T> resource) where T : ISyncthingResource
    {
        var settings = resource.Resource.Settings;
        resource.ApplicationBuilder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource.Resource, (_, cancellationToken) =>
            SyncthingConfigSeed.ApplyAsync(resource.Resource, cancellationToken));
        resource
            .WithEnvironment("STGUIAPIKEY", settings.ApiKey)
            .WithEnvironment("STNOUPGRADE", "1")
            .WithEnvironment("STNODEFAULTFOLDER", "1")
            .WithEnvironment(context => context.EnvironmentVariables["GOGC"] = settings.GoGcPercent.ToString(CultureInfo.InvariantCulture))
            .WithHealthCheck(PingCheckName(resource.Resource.Name));
        return resource.ApplicationBuilder.CreateResourceBuilder<ISyncthingResource>(resource.Resource);
    }

    private static string PingCheckName(string name) => $"{name}-ping";
}
