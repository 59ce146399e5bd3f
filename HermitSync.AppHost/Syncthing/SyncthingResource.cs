namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Syncthing instance, run either as a container (the default) or as a local executable. Its
/// connection string gives the REST endpoint and API key.
/// </summary>
public interface ISyncthingResource : IResourceWithEndpoints, IResourceWithEnvironment, IResourceWithConnectionString
{
    SyncthingSettings Settings { get; }

    EndpointReference GuiEndpoint { get; }

    /// <summary>The shared folder as Syncthing sees it: a container path in container mode.</summary>
    string FolderPath { get; }
}

/// <summary>The <c>syncthing/syncthing</c> image.</summary>
public sealed class SyncthingContainerResource(string name, SyncthingSettings settings) : ContainerResource(name), ISyncthingResource
{
    public const string ContainerFolderPath = "/var/syncthing/hermit-sync";
    public const int ContainerGuiPort = 8384;
    public const int ContainerListenPort = 22000;

    public SyncthingSettings Settings { get; } = settings;

    public EndpointReference GuiEndpoint => new(this, "http");

    public string FolderPath => ContainerFolderPath;

    public ReferenceExpression ConnectionStringExpression => Settings.ConnectionString(GuiEndpoint);
}

/// <summary>A <c>syncthing</c> process on this machine, the form <c>RunAsExecutable</c> chooses.</summary>
public sealed class SyncthingExecutableResource(string name, string command, SyncthingSettings settings)
    : ExecutableResource(name, command, workingDirectory: "."), ISyncthingResource
{
    public SyncthingSettings Settings { get; } = settings;

    public EndpointReference GuiEndpoint => new(this, "http");

    public string FolderPath => Settings.SharedFolder ?? "";

    public ReferenceExpression ConnectionStringExpression => Settings.ConnectionString(GuiEndpoint);
}
