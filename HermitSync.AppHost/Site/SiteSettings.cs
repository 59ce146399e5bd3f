using Microsoft.Extensions.Configuration;

namespace HermitSync.AppHost.Site;

/// <summary>
/// Where a site keeps its data and which ports it uses. Ports are fixed because rqlite and
/// Syncthing remember peer addresses in their data: a restart must find them where they were.
/// </summary>
public sealed record SiteSettings(RuntimeMode Runtime, string DataDirectory, int WebPort, int RqlitePort, int SyncthingGuiPort, int SyncthingListenPort)
{
    public string SyncFolder => Path.Combine(DataDirectory, "sync");

    public string QuarantineFolder => Path.Combine(DataDirectory, "quarantine");

    public static SiteSettings Read(IConfiguration configuration)
    {
        var section = configuration.GetSection("HermitSync");
        var dataDirectory = section["DataDirectory"];
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            dataDirectory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "hermit-sync");
        }
        return new SiteSettings(
            RuntimeModeResolver.Resolve(section["Runtime"]),
            Path.GetFullPath(dataDirectory),
            Port(section, "WebPort", 5180),
            Port(section, "Ports:Rqlite", 4001),
            Port(section, "Ports:SyncthingGui", 8386),
            Port(section, "Ports:SyncthingListen", 22010));
    }

    private static int Port(IConfigurationSection section, string key, int fallback)
    {
        var port = section.GetValue(key, fallback);
        return port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"HermitSync:{key} is {port}; a port is 1–65535.");
    }
}
