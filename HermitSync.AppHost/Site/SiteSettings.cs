using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace HermitSync.AppHost.Site;

/// <summary>
/// One site: its name (empty for a single site, else a, b, …), where it keeps its data and
/// which ports it uses. Ports are fixed because rqlite and Syncthing remember peer addresses in
/// their data: a restart must find them where they were.
/// </summary>
public sealed record SiteSettings(string Name, RuntimeMode Runtime, SyncthingDiscovery Discovery, string DataDirectory, int WebPort, int RqlitePort, int SyncthingGuiPort, int SyncthingListenPort)
{
    /// <summary>
    /// Where the site's Syncthing listens for other machines (<c>HermitSync:SyncListenAddress</c>):
    /// every interface by default, since a peer must be able to connect; everything else of the
    /// site stays on loopback.
    /// </summary>
    public System.Net.IPAddress SyncListenAddress { get; init; } = System.Net.IPAddress.Any;

    /// <summary>The backup this start rebuilds the site's cluster from (<c>./hermit restore</c>); null for a plain start.</summary>
    public string? RestoreFrom { get; init; }

    /// <summary>How far apart the sites' first rqlite ports are: room for a cluster's HTTP and Raft ports.</summary>
    public const int RqlitePortsPerSite = 10;

    public string SyncFolder => Path.Combine(DataDirectory, "sync");

    public string QuarantineFolder => Path.Combine(DataDirectory, "quarantine");

    /// <summary>The site's signing key and the keys of the sites it trusts.</summary>
    public string IdentityFolder => Path.Combine(DataDirectory, "identity");

    public string SyncthingHome => Path.Combine(DataDirectory, "syncthing");

    public string RqliteDirectory => Path.Combine(DataDirectory, "rqlite");

    /// <summary>The attachments' bytes, named by their SHA-256; rqlite holds what they are.</summary>
    public string AttachmentsFolder => Path.Combine(DataDirectory, "attachments");

    /// <summary>The site's access key, which the Notes link carries and scripts send as a bearer token.</summary>
    public string AccessTokenFile => Path.Combine(DataDirectory, "access-token");

    /// <summary>The folders that hold the site: its own and, for a named site, <c>sites/</c> and the data directory above it.</summary>
    public IReadOnlyList<string> DataFolders => Name.Length == 0
        ? [DataDirectory]
        : [DataDirectory, Path.GetDirectoryName(DataDirectory)!, Path.GetDirectoryName(Path.GetDirectoryName(DataDirectory))!];

    /// <summary>Everything the site keeps in its folder; only these are tightened, whatever else someone put beside them.</summary>
    public IReadOnlyList<string> DataPaths => [RqliteDirectory, SyncthingHome, SyncFolder, QuarantineFolder, IdentityFolder, AttachmentsFolder, AccessTokenFile];

    /// <summary>Resource names carry the site's name, so the dashboard shows which site each belongs to.</summary>
    public string ResourceName(string resource) => Name.Length == 0 ? resource : $"{Name}-{resource}";

    /// <summary>Whether a resource of the app model belongs to this site.</summary>
    public bool Owns(string resourceName) => Name.Length == 0 || resourceName.StartsWith($"{Name}-", StringComparison.Ordinal);

    /// <summary>
    /// Reads <c>HermitSync:Sites</c> sites. A single site uses the configured ports and data
    /// directory as they are; with more, site n (from 0) shifts each port by n (rqlite by 10n)
    /// and keeps its data in <c>sites/{name}</c> under the data directory.
    /// </summary>
    public static IReadOnlyList<SiteSettings> ReadAll(IConfiguration configuration)
    {
        var section = configuration.GetSection("HermitSync");
        var count = section.GetValue("Sites", 1);
        if (count is < 1 or > 4)
        {
            throw new InvalidOperationException($"HermitSync:Sites is {count}; run 1 to 4 sites.");
        }
        var root = section["DataDirectory"];
        if (string.IsNullOrWhiteSpace(root))
        {
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "hermit-sync");
        }
        var runtime = RuntimeModeResolver.Resolve(section["Runtime"]);
        var discovery = section.GetValue("Discovery", SyncthingDiscovery.Off);
        return Enumerable.Range(0, count).Select(n =>
        {
            var name = count == 1 ? "" : ((char)('a' + n)).ToString();
            return new SiteSettings(
                name,
                runtime,
                discovery,
                Path.GetFullPath(count == 1 ? root : Path.Combine(root, "sites", name)),
                Port(section, "WebPort", 5180) + n,
                Port(section, "Ports:Rqlite", 4001) + (RqlitePortsPerSite * n),
                Port(section, "Ports:SyncthingGui", 8386) + n,
                Port(section, "Ports:SyncthingListen", 22010) + n)
            {
                SyncListenAddress = SyncListen(section),
                // HermitSync:Restore for a single site, HermitSync:Restore:{name} for one of several.
                RestoreFrom = (count == 1 ? section["Restore"] : section.GetSection("Restore")[name]) is { Length: > 0 } backup ? Path.GetFullPath(backup) : null,
            };
        }).ToArray();
    }

    private static System.Net.IPAddress SyncListen(IConfigurationSection section) =>
        section["SyncListenAddress"] is not { Length: > 0 } address ? System.Net.IPAddress.Any
        : System.Net.IPAddress.TryParse(address, out var parsed) ? parsed
        : throw new InvalidOperationException($"HermitSync:SyncListenAddress is '{address}', not an IP address; 0.0.0.0 listens on every interface.");

    private static int Port(IConfigurationSection section, string key, int fallback)
    {
        var port = section.GetValue(key, fallback);
        return port is > 0 and < 65000
            ? port
            : throw new InvalidOperationException($"HermitSync:{key} is {port}; a port is 1–65000.");
    }
}
