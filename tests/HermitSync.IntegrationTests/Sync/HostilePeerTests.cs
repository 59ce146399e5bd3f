using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Passphrase;
using HermitSync.Exporter.Syncthing;
using HermitSync.Exporter.Trust;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>
/// Two sites paired through real Syncthing, where B is a compromised peer: it holds the sync
/// passphrase and its own signing key, and writes whatever it likes into its folder, which
/// Syncthing carries to A, the victim. A forger with the passphrase alone signs with a key of its own. Attacks that a peer cannot send (a 3 GiB sparse file, links at the top of the sites
/// folder, a planted file in A's own folder) are written at A directly. For each, A keeps
/// importing B's good files within the normal lag, answers 2xx from its API and every page, and
/// shows the refusal with its reason. Each test removes what it planted.
/// </summary>
public sealed class HostilePeerFixture : StackHolder
{
    /// <summary>How long A waits for word of an attachment's unknown epoch: short, so the test of it need not wait ten minutes.</summary>
    public static readonly TimeSpan UnannouncedEpochPatience = TimeSpan.FromSeconds(3);

    public HostilePeerFixture() : base(new StackFixture(2, null,
        // B must not compact its folder under the attack files.
        "--HermitSync:Sync:SnapshotEveryFiles=100000",
        $"--HermitSync:Sync:UnannouncedEpochPatience={UnannouncedEpochPatience:c}"))
    {
    }
}

public sealed class HostilePeerTests(HostilePeerFixture fixture) : IClassFixture<HostilePeerFixture>
{
    private const string Victim = "a", Peer = "b";

    /// <summary>What "the normal lag" may stretch to while A works through what B sent: seconds, not minutes.</summary>
    private static readonly TimeSpan Lag = TimeSpan.FromSeconds(15);

    private readonly StackFixture _stack = fixture.Stack;
    // Far past B's real files, yet within the jump a site may make.
    private long _nextSequence = 100_000 + Random.Shared.Next(400_000);

    [Fact]
    public async Task A_compression_bomb_sealed_with_the_right_passphrase_is_refused_as_too_large()
    {
        var peer = await SiteIdAsync(Peer);
        // 4 GiB and a little more of zeros, in a few megabytes.
        var bomb = await Task.Run(() => Compress(Stream(4L * 1024 * 1024 * 1024 + 1)));
        var file = ChangeFile.SealContent(await KeyringAsync(), PeerKey, ChangeFileKind.Changes, peer, NextSequence(), Stamp(), Stamp(), 1, bomb);

        await AttackThroughPeerAsync(file, RejectionReason.TooLarge);
    }

    /// <summary>
    /// An attachment names its key epoch in clear, so one under an epoch A does not hold may be a
    /// passphrase change whose card is still on its way: it waits, unread, and is refused only once
    /// no word of the epoch came in the patience.
    /// </summary>
    [Fact]
    public async Task An_attachment_under_a_passphrase_no_site_announced_waits_its_patience_and_is_then_refused_as_the_wrong_key()
    {
        var peer = await SiteIdAsync(Peer);
        var stranger = new SyncKeyring(SyncPassphrases.Generate());
        var content = RandomNumberGenerator.GetBytes(1000);
        var attachment = new Attachment(Convert.ToHexStringLower(SHA256.HashData(content)), "planted.bin", "application/octet-stream", content.Length, DateTimeOffset.UtcNow);
        using var file = new MemoryStream();
        await AttachmentFile.SealAsync(stranger, peer, attachment, new MemoryStream(content), file, CancellationToken.None);
        var name = AttachmentFileName.For(stranger, peer, attachment.Hash).FileName;
        var path = Path.Combine(await PeerFolderAsync(), name);
        var planted = DateTimeOffset.UtcNow;
        await WriteAsSyncthingDoesAsync(path, file.ToArray());
        try
        {
            await ScanPeerFolderAsync();
            var refusal = await ExpectRefusalAsync(name, RejectionReason.WrongKey);
            Assert.Contains("has not said it writes under", refusal.Detail);
            Assert.True(refusal.At - planted >= HostilePeerFixture.UnannouncedEpochPatience, $"refused {(refusal.At - planted).TotalSeconds:0.0} s after it was planted");
            await AssertVictimStillWorksAsync();
        }
        finally
        {
            File.Delete(path);
            await ScanPeerFolderAsync();
        }
    }

    public static TheoryData<string> Spoilers() => ["year 9999", "long.MinValue", "long.MaxValue", "upper-case id", "10 MiB title", "100,000 parents"];

    [Theory]
    [MemberData(nameof(Spoilers))]
    public async Task A_revision_no_honest_site_writes_refuses_its_whole_file(string spoiler)
    {
        var peer = await SiteIdAsync(Peer);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var good = new NoteRevision(Guid.CreateVersion7().ToString(), Stamp(), peer, [], 1, "an honest note beside it", "", false, now, now);
        var bad = new NoteRevision(Guid.CreateVersion7().ToString(), Stamp() + 1, peer, [], 1, $"hostile: {spoiler}", "", false, now, now);
        bad = spoiler switch
        {
            "year 9999" => bad with { Hlc = HybridLogicalClock.FromPhysical(DateTimeOffset.Parse("9999-12-31T00:00:00Z").ToUnixTimeMilliseconds()) },
            "long.MinValue" => bad with { Hlc = long.MinValue },
            "long.MaxValue" => bad with { Hlc = long.MaxValue },
            "upper-case id" => bad with { NoteId = bad.NoteId.ToUpperInvariant() },
            "10 MiB title" => bad with { Title = new string('t', 10 * 1024 * 1024) },
            _ => bad with { Parents = Enumerable.Range(0, 100_000).Select(i => new ParentRef(Stamp() - i - 1, peer)).ToArray() },
        };
        var file = ChangeFile.Seal(await KeyringAsync(), PeerKey, ChangeFileKind.Changes, peer, NextSequence(), [good, bad]);

        await AttackThroughPeerAsync(file, RejectionReason.Malformed);

        using var victim = _stack.WebBrowserClient(Victim);
        Assert.Equal(HttpStatusCode.NotFound, (await victim.GetAsync($"/api/notes/{good.NoteId}")).StatusCode);
    }

    [Fact]
    public async Task A_symbolic_link_to_dev_zero_is_refused_unread()
    {
        var name = ChangeFileName(await SiteIdAsync(Peer), NextSequence());
        var link = Path.Combine(await PeerFolderAsync(), name);
        File.CreateSymbolicLink(link, "/dev/zero");
        try
        {
            await ScanPeerFolderAsync();
            await ExpectRefusalAsync(name, RejectionReason.NotARegularFile);
            await AssertVictimStillWorksAsync();
        }
        finally
        {
            File.Delete(link);
            await ScanPeerFolderAsync();
        }
    }

    [Fact]
    public async Task Links_to_the_root_are_never_followed_and_nothing_of_the_root_is_quarantined()
    {
        var inPeerFolder = Path.Combine(await PeerFolderAsync(), "root");
        var fakeSite = Path.Combine(_stack.Site(Victim).SyncFolder, "sites", SiteIds.New());
        Directory.CreateSymbolicLink(inPeerFolder, "/");
        Directory.CreateSymbolicLink(fakeSite, "/");
        var quarantineBefore = QuarantinedCount();
        try
        {
            await ScanPeerFolderAsync();
            await ExpectRefusalAsync(Path.GetFileName(fakeSite), RejectionReason.NotARegularFile);
            await ExpectRefusalAsync(Path.Combine(await SiteIdAsync(Peer), "root"), RejectionReason.NotARegularFile);
            await AssertVictimStillWorksAsync();
            // A reason for each link, and no copy of anything under /.
            Assert.InRange(QuarantinedCount() - quarantineBefore, 2, 4);
        }
        finally
        {
            Directory.Delete(inPeerFolder);
            Directory.Delete(fakeSite);
            await ScanPeerFolderAsync();
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task An_unreadable_folder_is_passed_over()
    {
        var sites = Path.Combine(_stack.Site(Victim).SyncFolder, "sites");
        var locked = Directory.CreateDirectory(Path.Combine(sites, SiteIds.New()));
        File.WriteAllBytes(Path.Combine(locked.FullName, ChangeFileName(SiteIds.New(), 1)), [1, 2, 3]);
        // Mode 000 stops any account but root; the exporter in this test runs as root, so the entry inside is refused on its merits.
        File.SetUnixFileMode(locked.FullName, UnixFileMode.None);
        try
        {
            await AssertVictimStillWorksAsync();
        }
        finally
        {
            File.SetUnixFileMode(locked.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            locked.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The file sits in a site folder no Syncthing holds, of a site no key is trusted for: in a
    /// folder Syncthing shares, Syncthing itself would hash the 3 GiB. Its site's files wait,
    /// unread, and the Sync page says so; the length check that refuses such a file of a trusted
    /// site unread is <c>SyncFolderTests</c>'.
    /// </summary>
    [Fact]
    public async Task A_3_gib_sparse_file_of_a_site_no_key_is_trusted_for_waits_unread()
    {
        var site = SiteIds.New();
        var name = ChangeFileName(site, 1);
        var folder = Directory.CreateDirectory(Path.Combine(_stack.Site(Victim).SyncFolder, "sites", site));
        // Made whole under a temporary name, then renamed, as Syncthing lands a file: the importer never sees it empty.
        var temporary = Path.Combine(folder.FullName, $".syncthing.{name}.tmp");
        using (var file = File.Create(temporary))
        {
            file.SetLength(3L * 1024 * 1024 * 1024);
        }
        File.Move(temporary, Path.Combine(folder.FullName, name));
        try
        {
            using var victim = _stack.WebBrowserClient(Victim);
            await Sites.EventuallyAsync(async () => (await victim.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).GetProperty("waiting").EnumerateArray()
                .Any(w => w.GetString() == site) ? true : (bool?)null, $"A does not show site {site} waiting for a key", Lag);
            Assert.Contains(site[..8], await victim.GetStringAsync("/Sync"));
            await AssertVictimStillWorksAsync();
            Assert.DoesNotContain((await Sites.StatusAsync(victim)).Rejections, r => r.File.Contains(site, StringComparison.Ordinal));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_passphrase_holder_writing_as_the_peer_with_a_key_of_its_own_is_refused_as_forged()
    {
        var peer = await SiteIdAsync(Peer);
        using var forger = SiteSigningKey.Create();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var note = new NoteRevision(Guid.CreateVersion7().ToString(), Stamp(), peer, [], 1, "forged in B's name", "", false, now, now);
        var file = ChangeFile.Seal(await KeyringAsync(), forger, ChangeFileKind.Changes, peer, NextSequence(), [note]);

        await AttackThroughPeerAsync(file, RejectionReason.BadSignature);

        using var victim = _stack.WebBrowserClient(Victim);
        Assert.Equal(HttpStatusCode.NotFound, (await victim.GetAsync($"/api/notes/{note.NoteId}")).StatusCode);
    }

    [Fact]
    public async Task An_empty_snapshot_numbered_far_ahead_is_refused_unread_and_hides_none_of_the_peers_files()
    {
        var peer = await SiteIdAsync(Peer);
        var name = new ChangeFileName(peer, ChangeFileKind.Snapshot, 999_999_999_999);
        // Signed with B's own key, as only a compromised B could: the number alone refuses it.
        var path = Path.Combine(await PeerFolderAsync(), name.FileName);
        await WriteAsSyncthingDoesAsync(path, ChangeFile.Seal(await KeyringAsync(), PeerKey, ChangeFileKind.Snapshot, peer, name.Sequence, []));
        try
        {
            await ScanPeerFolderAsync();
            await ExpectRefusalAsync(name.FileName, RejectionReason.TooFarAhead);
            // B's next files still apply: the snapshot covers nothing.
            await AssertVictimStillWorksAsync();
        }
        finally
        {
            File.Delete(path);
            await ScanPeerFolderAsync();
        }
    }

    /// <summary>
    /// Syncthing carries a few hundred small files a second here at best, so 500 travel from B and
    /// the rest are landed in A's copy of B's folder the way Syncthing lands a file (a temporary
    /// name, then a rename): what A's importer meets is the same, in minutes less.
    /// </summary>
    [Fact]
    public async Task Ten_thousand_tiny_files_with_random_salts_are_all_refused_and_real_files_keep_flowing()
    {
        const int Files = 10_000, ThroughSyncthing = 500;
        var peer = await SiteIdAsync(Peer);
        var fromPeer = await PeerFolderAsync();
        var atVictim = Path.Combine(_stack.Site(Victim).SyncFolder, "sites", peer);
        var rejectedBefore = await RejectionCountAsync();
        var planted = new List<string>();
        var template = ChangeFile.Seal(await KeyringAsync(), PeerKey, ChangeFileKind.Changes, peer, 1, []);
        try
        {
            for (var i = 0; i < Files; i++)
            {
                var sequence = NextSequence();
                var file = (byte[])template.Clone();
                System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(file.AsSpan(28), sequence);
                Random.Shared.NextBytes(file.AsSpan(56, SyncKeyring.SaltBytes));
                var path = Path.Combine(i < ThroughSyncthing ? fromPeer : atVictim, ChangeFileName(peer, sequence));
                await WriteAsSyncthingDoesAsync(path, file);
                planted.Add(path);
            }
            await ScanPeerFolderAsync();

            await Sites.EventuallyAsync(async () => await RejectionCountAsync() - rejectedBefore >= Files ? true : (bool?)null,
                $"A did not refuse all {Files:N0} files", TimeSpan.FromMinutes(4));
            await AssertVictimStillWorksAsync();
        }
        finally
        {
            planted.ForEach(File.Delete);
            await ScanPeerFolderAsync();
        }
    }

    [Fact]
    public async Task New_sites_offered_by_a_peer_are_taken_at_a_bounded_rate_and_delay_no_real_peer()
    {
        using var peerSyncthing = _stack.SyncthingClient(Peer);
        using var victimSyncthing = _stack.SyncthingClient(Victim);
        using var victimApi = _stack.WebBrowserClient(Victim);
        var victimDevice = await Sites.DeviceIdAsync(victimApi);
        var fakes = Enumerable.Range(0, 12).Select(_ => SiteIds.New()).ToArray();
        var keyring = await KeyringAsync();
        try
        {
            foreach (var fake in fakes)
            {
                var path = Path.Combine(_stack.Site(Peer).SyncFolder, "sites", fake);
                Directory.CreateDirectory(path);
                var note = new NoteRevision(Guid.CreateVersion7().ToString(), Stamp(), fake, [], 1, "from a site nobody paired with", "", false,
                    DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await File.WriteAllBytesAsync(Path.Combine(path, ChangeFileName(fake, 1)), ChangeFile.Seal(keyring, PeerKey, ChangeFileKind.Changes, fake, 1, [note]));
                (await peerSyncthing.PutAsJsonAsync($"/rest/config/folders/{SiteFolders.IdOf(fake)}", new
                {
                    id = SiteFolders.IdOf(fake), path, type = "sendonly", devices = new[] { new { deviceID = victimDevice } },
                })).EnsureSuccessStatusCode();
            }

            // The real peer's files keep arriving at once while the new sites wait their turn: their folders, then their keys.
            await AssertVictimStillWorksAsync();
            var taken = (await victimSyncthing.GetFromJsonAsync<JsonElement>("/rest/config/folders")).EnumerateArray()
                .Count(f => fakes.Any(fake => f.GetProperty("id").GetString() == SiteFolders.IdOf(fake)));
            Assert.InRange(taken, 1, 8);
        }
        finally
        {
            foreach (var fake in fakes)
            {
                await peerSyncthing.DeleteAsync($"/rest/config/folders/{SiteFolders.IdOf(fake)}");
                await victimSyncthing.DeleteAsync($"/rest/config/folders/{SiteFolders.IdOf(fake)}");
            }
            // Syncthing may still be finishing with a folder it just dropped, so its files go once it is done.
            foreach (var site in new[] { Peer, Victim })
            {
                foreach (var fake in fakes)
                {
                    var path = Path.Combine(_stack.Site(site).SyncFolder, "sites", fake);
                    await Sites.EventuallyAsync(() => Task.FromResult(TryDelete(path) ? true : (bool?)null), $"{path} could not be removed");
                }
            }
        }
    }

    [Fact]
    public async Task Files_planted_in_the_victims_own_folder_stall_nothing()
    {
        using var victim = _stack.WebBrowserClient(Victim);
        using var peer = _stack.WebBrowserClient(Peer);
        var own = await SiteIdAsync(Victim);
        var folder = Path.Combine(_stack.Site(Victim).SyncFolder, "sites", own);
        var next = (await _stack.Rqlite(Victim).QueryAsync(SyncLedgerSql.Cursor)).LastFileSeq + 1;
        var plantedNext = Path.Combine(folder, ChangeFileName(own, next));
        var plantedFar = Path.Combine(folder, ChangeFileName(own, 999_999_999_999));
        await File.WriteAllBytesAsync(plantedNext, "planted"u8.ToArray());
        await File.WriteAllBytesAsync(plantedFar, "planted"u8.ToArray());
        try
        {
            var note = await Sites.CreateAsync(victim, "written past planted files", "still exported");
            var atPeer = await Sites.EventuallyAsync(() => Sites.TryGetAsync(peer, note), "A's note did not reach B past the planted files", Lag);
            Assert.Equal("still exported", atPeer.Body);
            var status = await Sites.StatusAsync(victim);
            Assert.Contains(status.Rejections, r => r.Reason == nameof(RejectionReason.NameTaken) && r.File.EndsWith(Path.GetFileName(plantedNext), StringComparison.Ordinal));
            // The next name comes from the ledger, so the far one changed nothing.
            Assert.True((await _stack.Rqlite(Victim).QueryAsync(SyncLedgerSql.Cursor)).LastFileSeq < 999_999_999_999);
            Assert.DoesNotContain(Directory.GetFiles(folder), f => Path.GetFileName(f).Length > "c-000000000000.hsync".Length);
        }
        finally
        {
            File.Delete(plantedNext);
            File.Delete(plantedFar);
        }
    }

    [Fact]
    public async Task A_peers_file_altered_on_the_way_is_refused_and_its_restored_original_applies()
    {
        using var victim = _stack.WebBrowserClient(Victim);
        using var peerApi = _stack.WebBrowserClient(Peer);
        using var victimSyncthing = _stack.SyncthingClient(Victim);
        var peer = await SiteIdAsync(Peer);
        var peerDevice = await Sites.DeviceIdAsync(peerApi);

        (await victimSyncthing.PostAsync($"/rest/system/pause?device={peerDevice}", null)).EnsureSuccessStatusCode();
        Note note;
        string name;
        try
        {
            await Sites.EventuallyAsync(async () => await Sites.PeerConnectedAsync(victim) ? null : (bool?)true, "A still sees B connected");
            note = await Sites.CreateAsync(peerApi, "altered on the way", "the original");
            await Sites.WaitForExportAsync(_stack, Peer);
            name = ChangeFileName(peer, (await _stack.Rqlite(Peer).QueryAsync(SyncLedgerSql.Cursor)).LastFileSeq);
            var altered = await File.ReadAllBytesAsync(Path.Combine(await PeerFolderAsync(), name));
            altered[^3] ^= 0x20;
            await WriteAsSyncthingDoesAsync(Path.Combine(_stack.Site(Victim).SyncFolder, "sites", peer, name), altered);
            await ExpectRefusalAsync(name, RejectionReason.BadSignature);
            // Syncthing at A learns of the local change before the peer's version comes.
            (await victimSyncthing.PostAsync($"/rest/db/scan?folder={SiteFolders.IdOf(peer)}", null)).EnsureSuccessStatusCode();
            Assert.Null(await Sites.TryGetAsync(victim, note));
        }
        finally
        {
            // Syncthing puts the peer's version back over the local change, pass or fail: the folder is shared by the class.
            (await victimSyncthing.PostAsync($"/rest/system/resume?device={peerDevice}", null)).EnsureSuccessStatusCode();
            await Sites.EventuallyAsync(async () => await Sites.PeerConnectedAsync(victim) ? true : (bool?)null, "A did not reconnect to B");
            (await victimSyncthing.PostAsync($"/rest/db/revert?folder={SiteFolders.IdOf(peer)}", null)).EnsureSuccessStatusCode();
        }

        // Other content under the same name is looked at again.
        var restored = await Sites.EventuallyAsync(() => Sites.TryGetAsync(victim, note), "the restored original did not apply", Lag);
        Assert.Equal("the original", restored.Body);

        // A peer's file deleted at A breaks nothing: what it held is applied, and later files still come.
        File.Delete(Path.Combine(_stack.Site(Victim).SyncFolder, "sites", peer, name));
        await AssertVictimStillWorksAsync();
        (await victimSyncthing.PostAsync($"/rest/db/revert?folder={SiteFolders.IdOf(peer)}", null)).EnsureSuccessStatusCode();
    }

    /// <summary>Writes the file into B's own folder, as B would, lets Syncthing carry it to A, and checks A's outcome.</summary>
    private async Task AttackThroughPeerAsync(byte[] file, RejectionReason expected)
    {
        var name = ChangeFileName(await SiteIdAsync(Peer), SequenceOf(file));
        var path = Path.Combine(await PeerFolderAsync(), name);
        await WriteAsSyncthingDoesAsync(path, file);
        try
        {
            await ScanPeerFolderAsync();
            await ExpectRefusalAsync(name, expected);
            await AssertVictimStillWorksAsync();
        }
        finally
        {
            File.Delete(path);
            await ScanPeerFolderAsync();
        }
    }

    /// <summary>A keeps importing B's real files within the normal lag, and answers from its API and every page.</summary>
    private async Task AssertVictimStillWorksAsync()
    {
        using var victim = _stack.WebBrowserClient(Victim);
        using var peer = _stack.WebBrowserClient(Peer);
        var started = Stopwatch.GetTimestamp();
        var note = await Sites.CreateAsync(peer, "a good note", $"written at {DateTimeOffset.UtcNow:O}");
        if (await ArrivesWithinLagAsync(victim, note) is false)
        {
            Assert.Fail($"B's good note did not reach A within {Lag.TotalSeconds} s. The exporters said:{Environment.NewLine}"
                + string.Join(Environment.NewLine, _stack.LogLines.Where(l => l.Contains("exporter", StringComparison.Ordinal)).TakeLast(60)));
        }
        Assert.True(Stopwatch.GetElapsedTime(started) < Lag);
        foreach (var page in new[] { "/", "/Sync", "/Cluster", $"/Notes/{note.Id}", "/api/notes", "/api/sync/status", "/api/cluster" })
        {
            using var response = await victim.GetAsync(page);
            Assert.True(response.IsSuccessStatusCode, $"{page} answered {(int)response.StatusCode}");
        }
    }

    private static async Task<bool> ArrivesWithinLagAsync(HttpClient victim, Note note)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Lag)
        {
            if (await Sites.TryGetAsync(victim, note) is not null)
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>Whole or not at all, as Syncthing and the exporter write: a temporary name first, then a rename.</summary>
    private static async Task WriteAsSyncthingDoesAsync(string path, byte[] content)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".syncthing.{Path.GetFileName(path)}.tmp");
        await File.WriteAllBytesAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A shows the refusal of the entry, with its reason, on its Sync page and in its status.</summary>
    private async Task<SyncRejection> ExpectRefusalAsync(string entry, RejectionReason reason)
    {
        using var victim = _stack.WebBrowserClient(Victim);
        var rejection = await Sites.EventuallyAsync(async () => (await Sites.StatusAsync(victim)).Rejections
            .FirstOrDefault(r => r.File.EndsWith(entry, StringComparison.Ordinal)), $"A did not refuse {entry}", Lag);
        Assert.Equal(reason.ToString(), rejection.Reason);
        var page = await victim.GetStringAsync("/Sync");
        Assert.Contains(Path.GetFileName(entry), page);
        Assert.Contains(reason.ToString(), page);
        return rejection;
    }

    private static bool TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private Task<long> RejectionCountAsync() => _stack.Rqlite(Victim).QueryAsync(SyncLedgerSql.RejectionCount);

    private int QuarantinedCount() =>
        Directory.Exists(_stack.Site(Victim).QuarantineFolder) ? Directory.GetFiles(_stack.Site(Victim).QuarantineFolder).Length : 0;

    private async Task<string> SiteIdAsync(string site)
    {
        using var http = _stack.WebBrowserClient(site);
        return await Sites.SiteIdAsync(http);
    }

    private async Task<string> PeerFolderAsync() => Path.Combine(_stack.Site(Peer).SyncFolder, "sites", await SiteIdAsync(Peer));

    private async Task ScanPeerFolderAsync()
    {
        using var syncthing = _stack.SyncthingClient(Peer);
        (await syncthing.PostAsync($"/rest/db/scan?folder={SiteFolders.IdOf(await SiteIdAsync(Peer))}", null)).EnsureSuccessStatusCode();
    }

    private Task<SyncKeyring> KeyringAsync() => Task.FromResult(new SyncKeyring(_stack.SyncPassphrase));

    /// <summary>B's own signing key, read off B's disk: what a compromised B signs with.</summary>
    private SiteSigningKey PeerKey => _peerKey ??= SiteSigningKey.LoadOrCreate(_stack.Site(Peer).IdentityFolder);

    private SiteSigningKey? _peerKey;

    private long NextSequence() => Interlocked.Increment(ref _nextSequence);

    private static string ChangeFileName(string site, long sequence) => new ChangeFileName(site, ChangeFileKind.Changes, sequence).FileName;

    private static long SequenceOf(byte[] file) => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(file.AsSpan(28));

    private static long Stamp() => HybridLogicalClock.FromPhysical(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private static Stream Stream(long zeros) => new ZeroStream(zeros);

    private static byte[] Compress(Stream data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest))
        {
            data.CopyTo(brotli, 1024 * 1024);
        }
        return output.ToArray();
    }
}
