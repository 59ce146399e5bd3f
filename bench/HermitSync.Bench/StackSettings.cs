using HermitSync.Testing;

namespace HermitSync.Bench;

/// <summary>
/// What a benchmark stack keeps from one start to the next: its data directory, ports and
/// secrets. The secrets are passed as parameters, so nothing lands in the developer's user
/// secrets and nothing is printed.
/// </summary>
public sealed class StackSettings
{
    public StackSettings(int sites)
    {
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
            $"--Parameters:sync-passphrase={SyncPassphrase}",
        ];
    }

    /// <summary>The sites' names: "" for a single site, whose resources have no prefix; a, b, … otherwise.</summary>
    public IReadOnlyList<string> Sites { get; }

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("hermit-bench-").FullName;

    public string RqlitePassword { get; } = NewSecret();

    public string SyncthingApiKey { get; } = NewSecret();

    public string SyncPassphrase { get; } = NewSecret();

    public string[] Arguments { get; }

    public string SiteDirectory(string site) => site.Length == 0 ? DataDirectory : Path.Combine(DataDirectory, "sites", site);

    public void DeleteData() => Directory.Delete(DataDirectory, recursive: true);

    private static string NewSecret() => Convert.ToHexString(Guid.NewGuid().ToByteArray());
}
