using System.Net;
using System.Xml.Linq;
using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Prepares Syncthing's <c>config.xml</c> before every start. A new home starts from the template
/// (or Syncthing's defaults); every start re-asserts the listen address, the discovery options
/// and the GUI login, so Syncthing talks to the world only as far as
/// <see cref="SyncthingDiscovery"/> allows: with Off (the default) it finds peers by their static
/// addresses alone, and listens where <see cref="SyncthingSettings.ListenAddress"/> says (loopback
/// when nothing does).
/// </summary>
internal static class SyncthingConfigSeed
{
    /// <summary>The format Syncthing 1.29 writes; with an older one it would archive and migrate the new file.</summary>
    private const int ConfigVersion = 37;

    public static async Task ApplyAsync(ISyncthingResource syncthing, CancellationToken cancellationToken)
    {
        var settings = syncthing.Settings;
        // The image keeps its configuration in config/ under its home; a local Syncthing keeps it in the home itself.
        var (configDirectory, listenAddress) = syncthing switch
        {
            SyncthingContainerResource => (Path.Combine(settings.StartedHomeDirectory, "config"), $"tcp://0.0.0.0:{SyncthingContainerResource.ContainerListenPort}"),
            // Discovery is useless if peers cannot reach us, so beyond Off it listens on all interfaces unless told where.
            _ => (settings.StartedHomeDirectory, $"tcp://{Host(settings.ListenAddress ?? (settings.Discovery == SyncthingDiscovery.Off ? IPAddress.Loopback : IPAddress.Any))}:{settings.ListenPort}"),
        };
        OwnerOnly.CreateDirectory(configDirectory);
        var configPath = Path.Combine(configDirectory, "config.xml");
        var config = File.Exists(configPath) ? XDocument.Load(configPath)
            : settings.ConfigTemplate is { } template ? XDocument.Load(template)
            : new XDocument(new XElement("configuration", new XAttribute("version", ConfigVersion)));
        var root = config.Root ?? throw new InvalidOperationException($"{configPath} has no root element.");

        var options = Child(root, "options");
        options.Elements("listenAddress").Remove();
        options.Add(new XElement("listenAddress", listenAddress));
        var global = settings.Discovery == SyncthingDiscovery.Global ? "true" : "false";
        Set(options, "globalAnnounceEnabled", global);
        Set(options, "localAnnounceEnabled", settings.Discovery == SyncthingDiscovery.Off ? "false" : "true");
        Set(options, "relaysEnabled", global);
        Set(options, "natEnabled", global);
        // A newly accepted peer should connect within seconds, not Syncthing's default minute.
        Set(options, "reconnectionIntervalS", "10");
        Set(options, "urAccepted", "-1");
        Set(options, "crashReportingEnabled", "false");
        Set(options, "autoUpgradeIntervalH", "0");
        Set(options, "startBrowser", "false");
        Set(options, "announceLANAddresses", "false");

        var gui = Child(root, "gui");
        Set(gui, "user", await settings.GuiUser.GetValueAsync(cancellationToken) ?? "");
        Set(gui, "password", SyncthingGuiPassword.Hash(await settings.GuiPassword.GetValueAsync(cancellationToken) ?? "", gui.Element("password")?.Value));

        // It holds the GUI's password hash and Syncthing's own API key: owner-only, as Syncthing writes it.
        await OwnerOnly.ReplaceFileAsync(configPath, (file, ct) => config.SaveAsync(file, SaveOptions.None, ct), cancellationToken);
    }

    private static string Host(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private static XElement Child(XElement parent, string name)
    {
        if (parent.Element(name) is not { } child)
        {
            child = new XElement(name);
            parent.Add(child);
        }
        return child;
    }

    private static void Set(XElement parent, string name, string value) => Child(parent, name).Value = value;
}
