using HermitSync.Exporter.ChangeFiles;

namespace HermitSync.Exporter.Sync;

public sealed class SyncOptions
{
    /// <summary>The shared folder on this machine.</summary>
    public string SyncFolder { get; set; } = "";

    /// <summary>The same folder as Syncthing sees it; differs from <see cref="SyncFolder"/> only in container mode.</summary>
    public string? SyncthingFolderPath { get; set; }

    /// <summary>Where rejected files are copied, with their reasons. Outside the sync folder, so peers never see it.</summary>
    public string QuarantineFolder { get; set; } = "";

    /// <summary>Where the site's signing key, the keys it trusts and its sync passphrases are kept, owner-only. Outside the sync folder, so peers never see it.</summary>
    public string IdentityFolder { get; set; } = "";

    /// <summary>How often the exporter, at its start, looks again whether the API has migrated the schema and made the site id.</summary>
    public TimeSpan SiteWaitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often the exporter looks for new local revisions on its own. The API tells it of each
    /// write at once, so this only bounds how late a write is exported when that word is lost.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long writes must pause before they are exported together.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest a burst of writes may hold back an export.</summary>
    public TimeSpan MaxDebounce { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A compacted snapshot follows this many change files…</summary>
    public int SnapshotEveryFiles { get; set; } = 200;

    /// <summary>…or this much time with any change, whichever comes first.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// What a snapshot keeps whole of a note's replaced revisions: its newest this many…
    /// </summary>
    public int SnapshotKeepVersions { get; set; } = 10;

    /// <summary>
    /// …and any made this recently. Older replaced revisions go in without their body, so a
    /// snapshot grows with the notes, not with every edit ever made; sites that hold them whole keep them.
    /// </summary>
    public TimeSpan SnapshotKeepFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long an attachment sealed under a passphrase epoch this site does not hold waits for its
    /// site's card or change files to say it writes under that epoch. Syncthing may bring the
    /// attachment first; one that no such word follows is refused as sealed under a wrong key.
    /// </summary>
    public TimeSpan UnannouncedEpochPatience { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The importer's backstop scan, for files its watcher missed.</summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a failed export waits before it tries again: long enough not to spin on a cluster that is electing a leader.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How far past its ledger's last file this site takes back its own files at start (after a
    /// restore, say): a million files is years of writing, and a file far beyond was planted.
    /// </summary>
    public long RecoverWithinFiles { get; set; } = 1_000_000;

    /// <summary>
    /// How far past the last applied file of a peer its next file may be numbered. A site numbers
    /// its files one by one, so a million is years of writing; a file far beyond would make a
    /// snapshot that hides everything before it.
    /// </summary>
    public long MaxSequenceJump { get; set; } = 1_000_000;

    /// <summary>
    /// What a change file may cost to read: its size on disk and once decompressed, and how far
    /// ahead of this machine's clock its revisions may be stamped. A peer's file over them is
    /// refused, and this site cuts its own files to fit, so it never writes what a peer refuses.
    /// </summary>
    public ChangeFileLimits Limits { get; set; } = new();

    /// <summary>How fast keys are derived for sites not seen before, and how many are kept.</summary>
    public KeyringOptions Keyring { get; set; } = new();

    /// <summary>How much the quarantine may hold; the oldest copies go first.</summary>
    public long QuarantineQuotaBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How many refusals are logged one by one in a pass; the rest are counted in one line.</summary>
    public int RejectionsLoggedPerPass { get; set; } = 20;

    /// <summary>
    /// About the most text one rqlite transaction of a merge carries. Each rqlite node holds its
    /// last 512 log entries in memory, so this bounds that memory in a bulk merge (a site joining
    /// one with many notes) to about 128 MiB, and keeps each entry short enough not to stall the cluster.
    /// </summary>
    public long MaxTransactionBytes { get; set; } = 256 * 1024;

    /// <summary>Most revisions in one change file, and in one read of this site's rows.</summary>
    public int MaxRowsPerFile { get; set; } = 5_000;

    /// <summary>
    /// The most content this site puts in one change file (a snapshot may hold up to what a peer
    /// accepts, <see cref="ChangeFileLimits.MaxContentBytes"/>): a burst of writes goes out in files
    /// that neither side must hold whole in memory for long.
    /// </summary>
    public long MaxChangeFileBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How long one poll of Syncthing's event stream waits for an event.</summary>
    public TimeSpan SyncthingEventWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait before asking Syncthing again, e.g. while it is still starting.</summary>
    public TimeSpan SyncthingRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times to try setting Syncthing up at start: half a minute at the delay above.</summary>
    public int SyncthingStartAttempts { get; set; } = 30;

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
