namespace HermitSync.Exporter.Sync;

public sealed class SyncOptions
{
    /// <summary>The shared folder on this machine.</summary>
    public string SyncFolder { get; set; } = "";

    /// <summary>The same folder as Syncthing sees it; differs from <see cref="SyncFolder"/> only in container mode.</summary>
    public string? SyncthingFolderPath { get; set; }

    /// <summary>Where rejected files are copied, with their reasons. Outside the sync folder, so peers never see it.</summary>
    public string QuarantineFolder { get; set; } = "";

    /// <summary>The secret every paired site shares; change files are sealed with keys derived from it.</summary>
    public string Passphrase { get; set; } = "";

    /// <summary>How often the exporter looks for new local revisions.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long writes must pause before they are exported together.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a burst of writes may hold back an export.</summary>
    public TimeSpan MaxDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A compacted snapshot follows this many change files…</summary>
    public int SnapshotEveryFiles { get; set; } = 200;

    /// <summary>…or this much time with any change, whichever comes first.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The importer's backstop scan, for files its watcher missed.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a failed export waits before it tries again: long enough not to spin on a cluster that is electing a leader.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most revisions in one change file.</summary>
    public int MaxRowsPerFile { get; set; } = 50_000;

    /// <summary>Devices to pair with at every start, e.g. the other sites of a two-site AppHost.</summary>
    public List<PeerOptions> Peers { get; set; } = [];
}

public sealed class PeerOptions
{
    public string DeviceId { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>A static address such as <c>tcp://127.0.0.1:22011</c>; none means discovery must find it.</summary>
    public string? Address { get; set; }
}
