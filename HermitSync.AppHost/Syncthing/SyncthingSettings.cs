namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// What a Syncthing resource is set up with, whichever form runs it; <c>RunAsExecutable</c> hands
/// the same settings to the process that replaces the container.
/// </summary>
public sealed class SyncthingSettings(ParameterResource apiKey, ParameterResource guiUser, ParameterResource guiPassword, int guiPort, int listenPort)
{
    /// <summary>What the REST API takes in its <c>X-API-Key</c> header.</summary>
    public ParameterResource ApiKey { get; } = apiKey;

    /// <summary>The web GUI's login, so a page in the same browser cannot drive it.</summary>
    public ParameterResource GuiUser { get; } = guiUser;

    public ParameterResource GuiPassword { get; } = guiPassword;

    public int GuiPort { get; } = guiPort;

    /// <summary>Fixed, because peers keep this device's address.</summary>
    public int ListenPort { get; } = listenPort;

    /// <summary>
    /// Syncthing's identity (its key and certificate, hence its device ID), configuration and index.
    /// Without <c>WithDataDirectory</c> it is a new temporary directory for each run of the AppHost.
    /// </summary>
    public string? HomeDirectory { get; internal set; }

    /// <summary>The folder on this machine that Syncthing shares, if any.</summary>
    public string? SharedFolder { get; internal set; }

    /// <summary>The <c>config.xml</c> a new home starts from; without one, Syncthing's defaults.</summary>
    public string? ConfigTemplate { get; internal set; }

    public SyncthingDiscovery Discovery { get; internal set; } = SyncthingDiscovery.Off;

    /// <summary>
    /// The address the sync protocol listens on, e.g. <c>0.0.0.0</c> for every interface; without
    /// one, loopback while discovery is off and every interface once it is on.
    /// </summary>
    public System.Net.IPAddress? ListenAddress { get; internal set; }

    /// <summary>
    /// Syncthing's <c>GOGC</c>: how far its heap may grow past what it holds live before Go
    /// collects. With Go's default (100) an idle Syncthing held 46 MiB after the bench's sync
    /// workload, with 25 it held 30 MiB, and the sync lag did not move (README, Performance).
    /// </summary>
    public int GoGcPercent { get; set; } = 25;

    internal string StartedHomeDirectory => HomeDirectory ?? throw new InvalidOperationException("Syncthing has no home directory before the app starts.");

    /// <summary><c>Endpoint=http://…;ApiKey=…</c>: all the exporter needs to manage Syncthing.</summary>
    internal ReferenceExpression ConnectionString(EndpointReference gui) =>
        ReferenceExpression.Create($"Endpoint={gui.Property(EndpointProperty.Url)};ApiKey={ApiKey}");
}
