namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Syncthing instance: the site's peer-to-peer transport. Its connection string gives the
/// REST endpoint and API key, which is all the exporter needs to manage it.
/// </summary>
public interface ISyncthingResource : IResourceWithEndpoints, IResourceWithEnvironment, IResourceWithConnectionString
{
    ParameterResource ApiKey { get; }

    EndpointReference GuiEndpoint { get; }

    /// <summary>The shared folder as Syncthing sees it (a container path in container mode).</summary>
    string FolderPath { get; }
}

/// <summary>Debian's <c>syncthing</c> running on this machine.</summary>
public sealed class SyncthingResource(string name, ParameterResource apiKey)
    : ExecutableResource(name, "syncthing", workingDirectory: "."), ISyncthingResource
{
    public ParameterResource ApiKey { get; } = apiKey;

    public EndpointReference GuiEndpoint => new(this, "http");

    public string? HomeDirectory { get; internal set; }

    public string FolderPath { get; internal set; } = "";

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={GuiEndpoint.Property(EndpointProperty.Url)};ApiKey={ApiKey}");
}

/// <summary>The <c>syncthing/syncthing</c> image.</summary>
public sealed class SyncthingContainerResource(string name, ParameterResource apiKey) : ContainerResource(name), ISyncthingResource
{
    public const string ContainerFolderPath = "/var/syncthing/hermit-sync";

    public ParameterResource ApiKey { get; } = apiKey;

    public EndpointReference GuiEndpoint => new(this, "http");

    public string FolderPath => ContainerFolderPath;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Endpoint={GuiEndpoint.Property(EndpointProperty.Url)};ApiKey={ApiKey}");
}
