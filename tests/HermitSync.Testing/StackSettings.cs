using HermitSync.AppHost.Site;
using Microsoft.Extensions.Configuration;

namespace HermitSync.Testing;

/// <summary>
/// What a stack started by a test or a benchmark gets: a fresh data directory, free ports and
/// its own secrets. The secrets are passed as parameters, so nothing lands in the developer's
/// user secrets and nothing is printed. Each site's name, folders and ports are what the
/// AppHost itself reads from these arguments.
/// </summary>
public sealed class StackSettings
{
    /// <param name="sites">How many sites the AppHost runs.</param>
    /// <param name="syncPassphrase">Sites that exchange files must share one; a new one when null. The stack's starter gives it to each site (<see cref="SitePassphrase"/>).</param>
    /// <param name="extra">More AppHost settings, as <c>--Key=value</c>.</param>
    public StackSettings(int sites, string? syncPassphrase = null, params string[] extra)
    {
        SyncPassphrase = syncPassphrase ?? HermitSync.Exporter.Passphrase.SyncPassphrases.Generate();
        Arguments =
        [
            "--HermitSync:Runtime=executable",
            $"--HermitSync:Sites={sites}",
            $"--HermitSync:DataDirectory={DataDirectory}",
            $"--HermitSync:Ports:Rqlite={FreePorts.Consecutive(SiteSettings.RqlitePortsPerSite * sites)}",
            $"--HermitSync:Ports:SyncthingGui={FreePorts.Consecutive(sites)}",
            $"--HermitSync:Ports:SyncthingListen={FreePorts.Consecutive(sites)}",
            $"--HermitSync:WebPort={FreePorts.Consecutive(sites)}",
            // A test's sites reach each other on 127.0.0.1: nothing of theirs listens beyond it.
            "--HermitSync:SyncListenAddress=127.0.0.1",
            $"--Parameters:rqlite-password={RqlitePassword}",
            $"--Parameters:syncthing-api-key={SyncthingApiKey}",
            $"--Parameters:syncthing-gui-user={SyncthingGuiUser}",
            $"--Parameters:syncthing-gui-password={SyncthingGuiPassword}",
            .. extra,
        ];
        Sites = SiteSettings.ReadAll(new ConfigurationBuilder().AddCommandLine(Arguments).Build());
    }

    /// <summary>The sites, as the AppHost reads them: "" for a single site, whose resources have no prefix; a, b, … otherwise.</summary>
    public IReadOnlyList<SiteSettings> Sites { get; }

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("hermit-stack-").FullName;

    public string RqlitePassword { get; } = NewSecret();

    public string SyncthingApiKey { get; } = NewSecret();

    public string SyncthingGuiUser { get; } = "gui" + NewSecret()[..8].ToLowerInvariant();

    public string SyncthingGuiPassword { get; } = NewSecret();

    public string SyncPassphrase { get; }

    public string[] Arguments { get; }

    /// <summary>The site of that name: "" for a single site.</summary>
    public SiteSettings Site(string name = "") => Sites.Single(site => site.Name == name);

    public void DeleteData() => Directory.Delete(DataDirectory, recursive: true);

    private static string NewSecret() => Convert.ToHexString(Guid.NewGuid().ToByteArray());
}
