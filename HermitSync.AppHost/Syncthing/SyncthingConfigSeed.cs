using System.Xml.Linq;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Prepares a Syncthing home before Syncthing starts. The first start copies the repo's
/// template; every start re-asserts the options that keep traffic on loopback, because a
/// Syncthing that once announced itself globally cannot take that back.
/// </summary>
internal static class SyncthingConfigSeed
{
    public static void Apply(string templatePath, string homeDirectory, int listenPort)
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
        options.Add(new XElement("listenAddress", $"tcp://127.0.0.1:{listenPort}"));
        Set(options, "globalAnnounceEnabled", "false");
        Set(options, "localAnnounceEnabled", "false");
        Set(options, "relaysEnabled", "false");
        Set(options, "natEnabled", "false");
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
