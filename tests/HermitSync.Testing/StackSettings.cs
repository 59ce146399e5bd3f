namespace HermitSync.Testing;

/// <summary>
/// What a stack started by a test or a benchmark gets: a fresh data directory, free ports and
/// its own secrets. The secrets are passed as parameters, so nothing lands in the developer's
/// user secrets and nothing is printed. With several sites, site n shifts each port by n
/// (rqlite by 10n).
/// </summary>
public sealed class StackSettings
{
    private static readonly string[] ResourcesOfASite = ["rqlite-1", "rqlite-2", "rqlite-3", "rqlite", "syncthing", "api", "web", "exporter"];

    /// <param name="sites">How many sites the AppHost runs.</param>
    /// <param name="syncPassphrase">Sites that exchange files must share one; a new one when null.</param>
    /// <param name="extra">More AppHost settings, as <c>--Key=value</c>.</param>
    public StackSettings(int sites, string? syncPassphrase = null, params string[] extra)
    {
        SyncPassphrase = syncPassphrase ?? NewSecret();
        Sites = sites == 1 ? [""] : Enumerable.Range(0, sites).Select(n => ((char)('a' + n)).ToString()).ToArray();
        Arguments =
        [
            "--HermitSync:Runtime=executable",
            $"--HermitSync:Sites={sites}",
            $"--HermitSync:DataDirectory={DataDirectory}",
            $"--HermitSync:Ports:Rqlite={FreePorts.Consecutive(10 * sites)}",
            $"--HermitSync:Ports:SyncthingGui={FreePorts.Consecutive(sites)}",
            $"--HermitSync:Ports:SyncthingListen={FreePorts.Consecutive(sites)}",
            $"--HermitSync:WebPort={FreePorts.Consecutive(sites)}",
            $"--Parameters:rqlite-password={RqlitePassword}",
            $"--Parameters:syncthing-api-key={SyncthingApiKey}",
            $"--Parameters:syncthing-gui-user={SyncthingGuiUser}",
            $"--Parameters:syncthing-gui-password={SyncthingGuiPassword}",
            $"--Parameters:sync-passphrase={SyncPassphrase}",
            .. extra,
        ];
    }

    /// <summary>The sites' names: "" for a single site, whose resources have no prefix; a, b, … otherwise.</summary>
    public IReadOnlyList<string> Sites { get; }

    /// <summary>Every resource the AppHost declares for these sites.</summary>
    public IReadOnlyList<string> Resources => Sites.SelectMany(ResourcesOf).ToArray();

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("hermit-stack-").FullName;

    public string RqlitePassword { get; } = NewSecret();

    public string SyncthingApiKey { get; } = NewSecret();

    public string SyncthingGuiUser { get; } = "gui" + NewSecret()[..8].ToLowerInvariant();

    public string SyncthingGuiPassword { get; } = NewSecret();

    public string SyncPassphrase { get; }

    public string[] Arguments { get; }

    public string SiteDirectory(string site = "") => site.Length == 0 ? DataDirectory : Path.Combine(DataDirectory, "sites", site);

    /// <summary>Every resource the AppHost declares for one site.</summary>
    public static IEnumerable<string> ResourcesOf(string site) => ResourcesOfASite.Select(resource => ResourceName(site, resource));

    /// <summary>A resource's name: as given for a single site, prefixed with the site's name otherwise.</summary>
    public static string ResourceName(string site, string resource) => site.Length == 0 ? resource : $"{site}-{resource}";

    public void DeleteData() => Directory.Delete(DataDirectory, recursive: true);

    private static string NewSecret() => Convert.ToHexString(Guid.NewGuid().ToByteArray());
}
