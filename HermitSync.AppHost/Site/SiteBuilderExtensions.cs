using HermitSync.AppHost.Site;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>The secrets every site of this AppHost shares.</summary>
public sealed record SiteSecrets(
    IResourceBuilder<ParameterResource> RqlitePassword,
    IResourceBuilder<ParameterResource> SyncthingApiKey,
    IResourceBuilder<ParameterResource> SyncthingGuiUser,
    IResourceBuilder<ParameterResource> SyncthingGuiPassword,
    IResourceBuilder<ParameterResource> InternalKey);

/// <summary>A site's resources that other sites need to know about.</summary>
public sealed record SiteResources(SiteSettings Settings, IResourceBuilder<ISyncthingResource> Syncthing, IResourceBuilder<ProjectResource> Exporter);

public static class SiteBuilderExtensions
{
    /// <summary>One whole site: its rqlite cluster, Syncthing, API, web app and exporter.</summary>
    public static SiteResources AddSite(this IDistributedApplicationBuilder builder, SiteSettings site, SiteSecrets secrets, string repository)
    {
        // First, so the site's folder is owner-only before anything else creates or starts in it.
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((_, _) =>
            {
                SiteDataDirectory.Prepare(site);
                return Task.CompletedTask;
            });
        }

        var rqlite = builder.AddRqliteCluster(site.ResourceName(SiteResource.Rqlite), secrets.RqlitePassword, site.RqlitePort)
            .WithDataDirectory(site.RqliteDirectory)
            .WithBackupCommand()
            .WithAutomaticBackups(builder.Configuration.GetSection("HermitSync:Backups").Get<RqliteBackupOptions>() ?? new())
            .WithStepDownCommand();
        if (site.RestoreFrom is { } backup)
        {
            rqlite.WithRestoreFrom(backup, SiteBackup.Check);
        }

        var syncthing = builder.AddSyncthing(site.ResourceName(SiteResource.Syncthing), secrets.SyncthingApiKey, secrets.SyncthingGuiUser, secrets.SyncthingGuiPassword, site.SyncthingGuiPort, site.SyncthingListenPort)
            .WithDataDirectory(site.SyncthingHome)
            .WithSharedFolder(site.SyncFolder)
            .WithConfigTemplate(Path.Combine(repository, "syncthing", "config.xml"))
            .WithDiscovery(site.Discovery)
            .WithListenAddress(site.SyncListenAddress);

        // The integrations default to containers; the site's runtime mode was decided before the model was built.
        if (site.Runtime == RuntimeMode.Executable)
        {
            rqlite.RunAsExecutable(Rqlited.Locate(builder.Configuration, repository));
            syncthing = syncthing.RunAsExecutable(SyncthingBinary.Locate(builder.Configuration, repository));
        }

        // No launch profiles: each site's services get their own free ports; only the web port is fixed.
        var exporter = builder.AddProject<Projects.HermitSync_Exporter>(site.ResourceName(SiteResource.Exporter), launchProfileName: null)
            .WithPublishedProgram()
            .WithHttpEndpoint();

        var api = builder.AddProject<Projects.HermitSync_Api>(site.ResourceName(SiteResource.Api), launchProfileName: null)
            .WithPublishedProgram()
            .WithHttpEndpoint()
            // After the cluster is ready, which is after a restore has loaded its backup.
            .WithReference(rqlite, "rqlite").WaitFor(rqlite)
            // Pairing requests pass through the API to the exporter, which manages Syncthing.
            .WithReference(exporter)
            .WithEnvironment("HermitSync__Exporter", $"http://{exporter.Resource.Name}")
            .WithInternalKey(secrets.InternalKey)
            .WithAttachments(site, builder.Configuration.GetSection(AttachmentSettings))
            .WithHttpHealthCheck("/health");

        // The web app starts beside the API rather than after it: it reaches the API per request.
        builder.AddProject<Projects.HermitSync_Web>(site.ResourceName(SiteResource.Web), launchProfileName: null)
            .WithPublishedProgram()
            .WithHttpEndpoint(port: site.WebPort)
            .WithReference(api)
            .WithEnvironment("HermitSync__Api", $"http://{api.Resource.Name}")
            .WithInternalKey(secrets.InternalKey)
            .WithAccessKey(site)
            .WithSettings(builder.Configuration.GetSection(AttachmentSettings), "HermitSync__Attachments")
            .WithHttpHealthCheck("/health");

        // The API migrates the schema and creates the site id; the exporter starts beside it and
        // waits for both, so it never reads a database a restore is about to replace.
        exporter
            .WithReference(rqlite, "rqlite")
            .WithReference(syncthing, "syncthing").WaitFor(syncthing)
            .WithEnvironment("Sync__SyncFolder", site.SyncFolder)
            .WithEnvironment("Sync__SyncthingFolderPath", syncthing.Resource.FolderPath)
            .WithEnvironment("Sync__QuarantineFolder", site.QuarantineFolder)
            .WithEnvironment("Sync__IdentityFolder", site.IdentityFolder)
            .WithSettings(builder.Configuration.GetSection("HermitSync:Sync"), "Sync")
            .WithAttachments(site, builder.Configuration.GetSection(AttachmentSettings))
            .WithInternalKey(secrets.InternalKey)
            .WithHttpHealthCheck("/health")
            .WithExportNowCommand(secrets.InternalKey);

        return new SiteResources(site, syncthing, exporter);
    }

    /// <summary>
    /// Pairs the sites of this AppHost with each other over 127.0.0.1, by static address, so a
    /// person can watch two machines converge on one. Each site's exporter is told its peers'
    /// Syncthing device IDs, which exist before Syncthing first starts.
    /// </summary>
    public static void PairWithEachOther(this IReadOnlyList<SiteResources> sites)
    {
        foreach (var site in sites)
        {
            var peers = sites.Where(peer => peer != site).ToArray();
            for (var i = 0; i < peers.Length; i++)
            {
                var peer = peers[i].Settings;
                site.Exporter
                    .WithEnvironment($"Sync__Peers__{i}__DeviceId", SyncthingIdentity.Ensure(peers[i].Syncthing.Resource))
                    .WithEnvironment($"Sync__Peers__{i}__Name", $"site {peer.Name}")
                    .WithEnvironment($"Sync__Peers__{i}__Address", "tcp://127.0.0.1:" + peer.SyncthingListenPort);
            }
        }
    }

    /// <summary>
    /// Adds the dashboard command "Export now": the exporter exports what is new at once and
    /// writes a snapshot. The result lists the files written. The command carries the internal
    /// credential, as every caller of the exporter must.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithExportNowCommand(this IResourceBuilder<ProjectResource> exporter, IResourceBuilder<ParameterResource> internalKey) =>
        exporter.WithHttpCommand("/sync/export-now", "Export now", commandName: "export-now", commandOptions: new HttpCommandOptions
        {
            Description = "Exports this site's new changes now, then a snapshot of all of them.",
            IconName = "ArrowSync",
            ResultMode = HttpCommandResultMode.Json,
            PrepareRequest = async context =>
                context.Request.Headers.Authorization = new("Bearer", await internalKey.Resource.GetValueAsync(context.CancellationToken)),
        });

    private const string AttachmentSettings = "HermitSync:Attachments";

    /// <summary>
    /// Passes a section of the AppHost's settings (such as <c>HermitSync:Sync</c>: debounce,
    /// snapshot cadence, …) on to a service's options under <paramref name="prefix"/>, so they
    /// can be tuned where the site is defined.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSettings(this IResourceBuilder<ProjectResource> service, IConfigurationSection settings, string prefix)
    {
        foreach (var setting in settings.GetChildren().Where(s => s.Value is not null))
        {
            service.WithEnvironment($"{prefix}__{setting.Key}", setting.Value);
        }
        return service;
    }

    /// <summary>Where the site keeps its attachments' bytes, and the AppHost's <c>HermitSync:Attachments</c> settings.</summary>
    public static IResourceBuilder<ProjectResource> WithAttachments(this IResourceBuilder<ProjectResource> service, SiteSettings site, IConfigurationSection settings) =>
        service.WithSettings(settings, "HermitSync__Attachments")
            .WithEnvironment("HermitSync__Attachments__Folder", site.AttachmentsFolder);
}
