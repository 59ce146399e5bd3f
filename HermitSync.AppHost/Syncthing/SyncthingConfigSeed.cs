using System.Xml.Linq;

using HermitSync.AppHost.Site;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Prepares a Syncthing home before Syncthing starts. The first start copies the repo's
/// template; every start re-asserts the listen address and the discovery options, so a site
/// talks to the world only as far as <see cref="DiscoveryMode"/> allows: with Off (the
/// default) it listens on loopback and finds peers by their static addresses alone.
/// </summary>
internal static class SyncthingConfigSeed
{
    public static void Apply(string templatePath, string homeDirectory, int listenPort, DiscoveryMode discovery)
    {
        Directory.CreateDirectory(homeDirectory);
        var configPath = Path.Combine(homeDirectory, "config.xml");
        var config = XDocument.Load(File.Exists(configPath) ? configPath : templatePath);
        var root = config.Root ?? throw new InvalidOperationException($"{configPath} has no root element.");
        var options = root.Element("options") ?? new XElement("options");
        if (options.Parent is null)
        {
            root.Add(options);
        }

        options.Elements("listenAddress").Remove();
        // Discovery is useless if peers cannot reach us, so beyond Off it listens on all interfaces.
        options.Add(new XElement("listenAddress", discovery == DiscoveryMode.Off ? $"tcp://127.0.0.1:{listenPort}" : $"tcp://0.0.0.0:{listenPort}"));
        var global = discovery == DiscoveryMode.Global ? "true" : "false";
        Set(options, "globalAnnounceEnabled", global);
        Set(options, "localAnnounceEnabled", discovery == DiscoveryMode.Off ? "false" : "true");
        Set(options, "relaysEnabled", global);
        Set(options, "natEnabled", global);
        // A newly accepted peer should connect within seconds, not Syncthing's default minute.
        Set(options, "reconnectionIntervalS", "10");
        Set(options, "urAccepted", "-1");
        Set(options, "crashReportingEnabled", "false");
        Set(options, "autoUpgradeIntervalH", "0");
        Set(options, "startBrowser", "false");
        Set(options, "announceLANAddresses", "false");

        var temporary = configPath + ".hermit.tmp";
        config.Save(temporary);
        File.Move(temporary, configPath, overwrite: true);
    }

    private static void Set(XElement parent, string name, string value)
    {
        if (parent.Element(name) is { } element)
        {
            element.Value = value;
        }
        else
        {
            parent.Add(new XElement(name, value));
        }
    }
}
