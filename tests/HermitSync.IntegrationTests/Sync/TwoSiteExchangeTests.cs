using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>
/// Two whole sites, each with its own rqlite cluster, API and exporter, started through the
/// real AppHost. Their files are carried between the folders by the test (Syncthing does not
/// connect them here), so the order and timing of delivery is the test's to choose. Each knows
/// the other's device, as paired machines do, so each trusts the key the other's card states.
/// </summary>
public sealed class TwoSitesFixture : IAsyncLifetime
{
    public const int SnapshotEveryFiles = 3;

    public const int MaxTransactionBytes = 1_024;

    public static readonly TimeSpan UnreferencedKeptFor = TimeSpan.FromSeconds(3);

    private static readonly string[] OnlyWhenTold = ["--HermitSync:Sync:PollInterval=01:00:00", "--HermitSync:Attachments:SealEvery=01:00:00"];

    public TwoSitesFixture()
    {
        // A compacts often, so the tests also see snapshots replace the files they cover; B merges
        // every file of more than a few rows in several transactions, as it would a large one, and
        // collects attachments no note has linked to for a few seconds rather than 30 days.
        // Neither exporter looks for new writes on its own within a test, so every export and seal
        // here follows the API's word that the site wrote something.
        A = new StackFixture(1, null, [$"--HermitSync:Sync:SnapshotEveryFiles={SnapshotEveryFiles}", .. OnlyWhenTold]);
        B = new StackFixture(1, A.SyncPassphrase, [$"--HermitSync:Sync:MaxTransactionBytes={MaxTransactionBytes}",
            $"--HermitSync:Attachments:KeepUnreferencedFor={UnreferencedKeptFor}", "--HermitSync:Attachments:CollectEvery=00:00:01", .. OnlyWhenTold]);
    }

    public StackFixture A { get; }

    public StackFixture B { get; }

    public async Task InitializeAsync()
    {
        await A.InitializeAsync();
        await B.InitializeAsync();
        await KnowAsync(A, B);
        await KnowAsync(B, A);
        await CarryCardAsync(A, B);
        await CarryCardAsync(B, A);
    }

    /// <summary>Carries a site's card, as it stands now, to the other's copy of its folder, as Syncthing would.</summary>
    public static async Task CarryCardAsync(StackFixture from, StackFixture to)
    {
        using var api = from.WebBrowserClient();
        var siteId = await Sites.SiteIdAsync(api);
        var source = Path.Combine(from.Site().SyncFolder, SiteCard.RelativePathOf(siteId));
        var card = await Sites.EventuallyAsync(() => Task.FromResult(File.Exists(source) ? File.ReadAllBytes(source) : null), $"{source} was not published");
        var carried = Path.Combine(to.Site().SyncFolder, SiteCard.RelativePathOf(siteId));
        Directory.CreateDirectory(Path.GetDirectoryName(carried)!);
        var standing = File.Exists(carried) ? await File.ReadAllBytesAsync(carried) : null;
        if (standing is null || !card.AsSpan().SequenceEqual(standing))
        {
            var temporary = Path.Combine(Path.GetDirectoryName(carried)!, $".syncthing.{SiteCard.FileName}.tmp");
            await File.WriteAllBytesAsync(temporary, card);
            File.Move(temporary, carried, overwrite: true);
        }
    }

    /// <summary>Adds <paramref name="other"/>'s device to <paramref name="site"/>'s Syncthing with no address, so it is never dialled.</summary>
    private static async Task KnowAsync(StackFixture site, StackFixture other)
    {
        using var otherApi = other.WebBrowserClient();
        var device = await Sites.DeviceIdAsync(otherApi);
        using var syncthing = site.SyncthingClient();
        using var added = await syncthing.PutAsJsonAsync($"/rest/config/devices/{device}", new { deviceID = device, name = "the other site", addresses = new[] { "dynamic" } });
        added.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

public sealed class TwoSiteExchangeTests(TwoSitesFixture sites) : IClassFixture<TwoSitesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Notes_made_edited_and_deleted_at_either_site_end_identical_at_both()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        var kept = await Sites.CreateAsync(a, "kept at A", "first words");
        var edited = await Sites.CreateAsync(a, "edited at A", "v1");
        var removed = await Sites.CreateAsync(a, "deleted at A", "soon gone");
        var fromB = await Sites.CreateAsync(b, "made at B", "hello from B");
        await Sites.EditAsync(a, edited, "edited at A", "v2");
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/api/notes/{removed.Id}")).StatusCode);

        await ExchangeAsync();

        Assert.Equal("first words", (await Sites.GetAsync(b, kept)).Body);
        Assert.Equal("v2", (await Sites.GetAsync(b, edited)).Body);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/notes/{removed.Id}")).StatusCode);
        Assert.Equal("hello from B", (await Sites.GetAsync(a, fromB)).Body);
        var peer = Assert.Single((await Sites.StatusAsync(b)).Peers);
        Assert.Equal(await Sites.SiteIdAsync(a), peer.SiteId);
        Assert.True(peer.AppliedThrough >= 1);
    }

    [Fact]
    public async Task Concurrent_edits_converge_and_the_losing_edit_stays_visible_at_both_sites()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        var note = await Sites.CreateAsync(a, "shared", "original");
        await ExchangeAsync();

        // Both sites edit the same version while apart.
        await Sites.EditAsync(a, note, "shared", "A's words");
        await Sites.EditAsync(b, await Sites.GetAsync(b, note), "shared", "B's words");
        await ExchangeAsync();

        var atA = await Sites.GetAsync(a, note);
        var atB = await Sites.GetAsync(b, note);
        Assert.Equal(atA, atB);
        Assert.Equal(1, atA.Conflicts);
        var loserAtA = Assert.Single(await Sites.ConflictsAsync(a, note));
        Assert.Equal(loserAtA, Assert.Single(await Sites.ConflictsAsync(b, note)));
        Assert.Equal(["A's words", "B's words"], new[] { atA.Body, loserAtA.Body }.Order());
        Assert.Contains(loserAtA.Body.Replace("'", "&#x27;"), await a.GetStringAsync($"/Notes/Edit/{note.Id}"));
        Assert.Contains("1 conflict", await b.GetStringAsync($"/Notes/Edit/{note.Id}"));

        // Resolving is an ordinary edit that names the losing revision.
        using var resolve = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{note.Id}")
        {
            Content = JsonContent.Create(new { title = "shared", body = "both, merged", resolves = new[] { loserAtA.Revision } }),
        };
        resolve.Headers.IfMatch.ParseAdd(atA.ETag);
        Assert.Equal(HttpStatusCode.OK, (await a.SendAsync(resolve)).StatusCode);
        await ExchangeAsync();
        Assert.Equal(0, (await Sites.GetAsync(b, note)).Conflicts);
        Assert.Equal("both, merged", (await Sites.GetAsync(b, note)).Body);
    }

    [Fact]
    public async Task Tampered_replayed_and_garbage_files_are_rejected_visibly_and_nothing_of_them_is_applied()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        var note = await Sites.CreateAsync(a, "tamper target", "authentic");
        await Sites.WaitForExportAsync(sites.A);
        var siteA = await Sites.SiteIdAsync(a);
        var source = Path.Combine(sites.A.Site().SyncFolder, "sites", siteA);
        var target = Path.Combine(sites.B.Site().SyncFolder, "sites", siteA);
        Directory.CreateDirectory(target);
        var newest = Sites.ChangeFilesIn(source).Order(StringComparer.Ordinal).MaxBy(f => Path.GetFileName(f)[2..])!;
        var nextSeq = long.Parse(Path.GetFileNameWithoutExtension(newest)[2..]) + 1000;
        var rejectedBefore = await Sites.RejectionCountAsync(sites.B);

        // Under names A has not used yet; removed at the end, so the genuine files can still arrive later.
        var (tamperedAt, replayedAt, garbageAt) = (Path.Combine(target, $"c-{nextSeq + 2:D12}.hsync"), Path.Combine(target, $"c-{nextSeq:D12}.hsync"), Path.Combine(target, $"c-{nextSeq + 1:D12}.hsync"));
        try
        {
            var tampered = await File.ReadAllBytesAsync(newest);
            tampered[^5] ^= 0xFF;
            await PlaceAsync(tamperedAt, tampered);
            await PlaceAsync(replayedAt, await File.ReadAllBytesAsync(newest));
            await PlaceAsync(garbageAt, "not a change file at all"u8.ToArray());

            await Sites.EventuallyAsync(async () => await Sites.RejectionCountAsync(sites.B) >= rejectedBefore + 3 ? true : (bool?)null, "B did not refuse all three files", Patience);
            var rejections = (await Sites.StatusAsync(b)).Rejections;
            Assert.Equal(rejectedBefore + 3, await Sites.RejectionCountAsync(sites.B));
            Assert.Contains(rejections, r => r.Reason == "BadSignature" && r.File.EndsWith(Path.GetFileName(tamperedAt)));
            Assert.Contains(rejections, r => r.Reason == "Replayed" && r.File.EndsWith(Path.GetFileName(replayedAt)));
            Assert.Contains(rejections, r => r.Reason == "NotAChangeFile" && r.File.EndsWith(Path.GetFileName(garbageAt)));
            Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/notes/{note.Id}")).StatusCode);
            Assert.NotEmpty(Directory.GetFiles(sites.B.Site().QuarantineFolder, "*.reason.txt"));
            Assert.Contains("rejected", await b.GetStringAsync("/Sync"), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            foreach (var planted in new[] { tamperedAt, replayedAt, garbageAt })
            {
                File.Delete(planted);
            }
        }

        // The bytes refused under a name they do not belong to are taken under their own.
        await ExchangeAsync();
        Assert.Equal("authentic", (await Sites.GetAsync(b, note)).Body);
    }

    [Fact]
    public async Task A_snapshot_replaces_the_files_it_covers_and_the_peer_still_converges()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        var note = await Sites.CreateAsync(a, "compacted", "v1");
        for (var i = 2; i <= TwoSitesFixture.SnapshotEveryFiles + 1; i++)
        {
            await Sites.WaitForExportAsync(sites.A);
            note = await Sites.GetAsync(a, note);
            await Sites.EditAsync(a, note, "compacted", $"v{i}");
        }
        await Sites.WaitForExportAsync(sites.A);

        // The snapshot lands first, then the files it covers are removed: wait for both.
        var folder = Path.Combine(sites.A.Site().SyncFolder, "sites", await Sites.SiteIdAsync(a));
        var deadline = DateTime.UtcNow + Patience;
        long[] snapshots;
        while (true)
        {
            snapshots = Directory.GetFiles(folder, "s-*.hsync").Select(Sequence).ToArray();
            var files = Sites.ChangeFilesIn(folder).Select(Sequence).ToArray();
            if (snapshots.Length > 0 && !files.Any(seq => seq < snapshots.Max()))
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no compacted snapshot after 20 s; files: {string.Join(", ", files)}");
            await Task.Delay(100);
        }

        await ExchangeAsync();
        Assert.Equal($"v{TwoSitesFixture.SnapshotEveryFiles + 1}", (await Sites.GetAsync(b, note)).Body);
        var peer = Assert.Single((await Sites.StatusAsync(b)).Peers);
        Assert.True(peer.AppliedThrough >= snapshots.Max());

        static long Sequence(string file) => long.Parse(Path.GetFileNameWithoutExtension(file)[2..]);
    }

    [Fact]
    public async Task Files_that_arrive_newest_first_still_converge_and_none_is_rejected()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        var folder = Path.Combine(sites.A.Site().SyncFolder, "sites", await Sites.SiteIdAsync(a));
        var seen = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.hsync").ToHashSet() : [];

        // One file per edit, each kept as it was written: later ones may compact the earlier away.
        var written = new List<(string Name, byte[] Content)>();
        var note = await Sites.CreateAsync(a, "out of order", "v1");
        for (var version = 1; version <= 5; version++)
        {
            if (version > 1)
            {
                await Sites.EditAsync(a, await Sites.GetAsync(a, note), "out of order", $"v{version}");
            }
            await Sites.WaitForExportAsync(sites.A);
            foreach (var file in Directory.GetFiles(folder, "*.hsync").Where(seen.Add).Order(StringComparer.Ordinal))
            {
                written.Add((Path.GetFileName(file), await File.ReadAllBytesAsync(file)));
            }
        }
        Assert.True(written.Count >= 5, $"expected a file per edit, got {string.Join(", ", written.Select(w => w.Name))}");

        var target = Path.Combine(sites.B.Site().SyncFolder, "sites", Path.GetFileName(folder));
        Directory.CreateDirectory(target);
        var rejectionsBefore = await Sites.RejectionCountAsync(sites.B);
        var rqliteB = sites.B.Rqlite();
        foreach (var (name, content) in Enumerable.Reverse(written))
        {
            var destination = Path.Combine(target, name);
            if (!File.Exists(destination))
            {
                await PlaceAsync(destination, content);
                await Sites.EventuallyAsync(async () => await SettledAsync(rqliteB, name) ? true : (bool?)null, $"B did not apply {name}");
            }
        }

        Assert.Equal("v5", (await Sites.GetAsync(b, note)).Body);
        await ExchangeAsync();
        Assert.Equal(rejectionsBefore, await Sites.RejectionCountAsync(sites.B));
        Assert.Equal(await Sites.RevisionsAsync(sites.A), await Sites.RevisionsAsync(sites.B));

        // Applied, or covered by a later snapshot already applied, which holds all it could add.
        async Task<bool> SettledAsync(RqliteClient rqlite, string name)
        {
            var (kind, seq) = (name[0] == 's' ? ChangeFileKind.Snapshot : ChangeFileKind.Changes, long.Parse(name[2..^6]));
            return (await rqlite.QueryAsync(SyncLedgerSql.Applied, ReadConsistency.Strong)).Any(applied => applied.SiteId == Path.GetFileName(folder)
                && ((applied.Kind == kind && applied.FileSeq == seq) || (applied.Kind == ChangeFileKind.Snapshot && applied.FileSeq > seq)));
        }
    }

    [Fact]
    public async Task An_attachment_crosses_and_a_tampered_or_truncated_copy_is_refused_with_its_reason_and_nothing_of_it_kept()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        var siteA = await Sites.SiteIdAsync(a);
        var (tampered, truncated) = (RandomNumberGenerator.GetBytes(300_000), RandomNumberGenerator.GetBytes(300_000));
        var first = await Sites.AttachAsync(a, "tampered.bin", tampered);
        var second = await Sites.AttachAsync(a, "truncated.bin", truncated);
        var note = await Sites.CreateAsync(a, "with two files", $"{first.Markdown}\n{second.Markdown}");
        var keyring = new SyncKeyring(sites.A.SyncPassphrase);
        string SealedAt(StackFixture site, Attachment attachment) =>
            Path.Combine(site.Site().SyncFolder, AttachmentFileName.For(keyring, siteA, attachment.Hash).RelativePath);
        await Sites.EventuallyAsync(() => Task.FromResult(File.Exists(SealedAt(sites.A, first)) && File.Exists(SealedAt(sites.A, second)) ? "sealed" : null),
            "A did not seal its attachments into its folder");
        var (firstSealed, secondSealed) = (await File.ReadAllBytesAsync(SealedAt(sites.A, first)), await File.ReadAllBytesAsync(SealedAt(sites.A, second)));
        Assert.True(firstSealed.AsSpan().IndexOf(tampered.AsSpan(0, 64)) < 0, "the sealed file holds the content in clear");

        Directory.CreateDirectory(Path.GetDirectoryName(SealedAt(sites.B, first))!);
        var altered = firstSealed.ToArray();
        altered[^1000] ^= 0x20;
        await PlaceAsync(SealedAt(sites.B, first), altered);
        await PlaceAsync(SealedAt(sites.B, second), secondSealed[..^5000]);

        var rejections = await Sites.EventuallyAsync(async () => (await Sites.StatusAsync(b)).Rejections
                .Where(r => r.File.EndsWith(Path.GetFileName(SealedAt(sites.B, first))) || r.File.EndsWith(Path.GetFileName(SealedAt(sites.B, second)))).ToArray()
                is { Length: 2 } both ? both : null,
            "B did not refuse the altered and the cut-short attachment");
        Assert.Contains(rejections, r => r.Reason == nameof(RejectionReason.AuthenticationFailed) && r.Detail.Contains("altered"));
        Assert.Contains(rejections, r => r.Reason == nameof(RejectionReason.Truncated) && r.Detail.Contains("cut short"));
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync(first.Link)).StatusCode);
        Assert.False(Directory.Exists(sites.B.Site().AttachmentsFolder) && Directory.EnumerateFiles(sites.B.Site().AttachmentsFolder, "*", SearchOption.AllDirectories).Any());

        // The whole files, as Syncthing would finish carrying them, are taken.
        await ExchangeAsync();
        await PlaceAsync(SealedAt(sites.B, first), firstSealed);
        await PlaceAsync(SealedAt(sites.B, second), secondSealed);
        foreach (var (attachment, content) in new[] { (first, tampered), (second, truncated) })
        {
            var served = await Sites.EventuallyAsync(async () => await b.GetAsync(attachment.Link) is { IsSuccessStatusCode: true } ok ? ok : null, $"{attachment.Name} did not arrive at B");
            Assert.Equal(content, await served.Content.ReadAsByteArrayAsync());
        }
        Assert.Equal(note.Body, (await Sites.GetAsync(b, note)).Body);
    }

    [Fact]
    public async Task An_attachment_no_note_links_to_is_collected_here_and_from_the_folder_and_one_an_old_version_links_to_is_kept()
    {
        using var b = sites.B.WebBrowserClient();
        var siteB = await Sites.SiteIdAsync(b);
        var keyring = new SyncKeyring(sites.B.SyncPassphrase);
        var unlinked = await Sites.AttachAsync(b, "draft.bin", RandomNumberGenerator.GetBytes(1000));
        var linked = await Sites.AttachAsync(b, "kept.bin", RandomNumberGenerator.GetBytes(1000));
        var note = await Sites.CreateAsync(b, "links once", linked.Markdown);
        // The current version no longer links to it; the first version, in the note's history, does.
        await Sites.EditAsync(b, note, "links once", "the file is gone from the text");
        string Sealed(Attachment attachment) => Path.Combine(sites.B.Site().SyncFolder, AttachmentFileName.For(keyring, siteB, attachment.Hash).RelativePath);
        string Stored(Attachment attachment) => Path.Combine(sites.B.Site().AttachmentsFolder, attachment.Hash[..2], attachment.Hash);
        await Sites.EventuallyAsync(() => Task.FromResult(File.Exists(Sealed(unlinked)) && File.Exists(Sealed(linked)) ? "sealed" : null), "B did not seal its attachments");

        await Sites.EventuallyAsync(async () => (await b.GetAsync(unlinked.Link)).StatusCode == HttpStatusCode.NotFound ? "collected" : null,
            "the unlinked attachment was not collected", TwoSitesFixture.UnreferencedKeptFor * 5);

        Assert.False(File.Exists(Stored(unlinked)));
        Assert.False(File.Exists(Sealed(unlinked)));
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync(linked.Link)).StatusCode);
        Assert.True(File.Exists(Stored(linked)));
        Assert.True(File.Exists(Sealed(linked)));
    }

    private async Task ExchangeAsync()
    {
        using var a = sites.A.WebBrowserClient();
        using var b = sites.B.WebBrowserClient();
        await Sites.WaitForExportAsync(sites.A);
        await Sites.WaitForExportAsync(sites.B);
        await CopySiteFilesAsync(sites.A, sites.B, await Sites.SiteIdAsync(a));
        await CopySiteFilesAsync(sites.B, sites.A, await Sites.SiteIdAsync(b));
        await Sites.WaitUntilConvergedAsync((sites.A, ""), (sites.B, ""), Patience);
    }

    /// <summary>
    /// Carries one site's files and its card to the other as Syncthing would: under a temporary name, then renamed.
    /// A file that vanishes while it is carried was covered by a snapshot written just before it
    /// went, so the folder is listed again to carry that snapshot.
    /// </summary>
    private static async Task CopySiteFilesAsync(StackFixture from, StackFixture to, string siteId)
    {
        var source = Path.Combine(from.Site().SyncFolder, "sites", siteId);
        var target = Path.Combine(to.Site().SyncFolder, "sites", siteId);
        Directory.CreateDirectory(target);
        const int listings = 5;
        for (var listing = 1; listing <= listings; listing++)
        {
            var vanished = false;
            foreach (var file in Directory.Exists(source) ? Directory.GetFiles(source, "*.hsync") : [])
            {
                var destination = Path.Combine(target, Path.GetFileName(file));
                if (File.Exists(destination))
                {
                    continue;
                }
                try
                {
                    await PlaceAsync(destination, await File.ReadAllBytesAsync(file));
                }
                catch (FileNotFoundException)
                {
                    vanished = true;
                }
            }
            if (!vanished)
            {
                break;
            }
            Assert.True(listing < listings, $"files of {siteId} kept vanishing while they were carried");
        }
        await TwoSitesFixture.CarryCardAsync(from, to);
    }

    private static async Task PlaceAsync(string path, byte[] content)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".syncthing.{Path.GetFileName(path)}.tmp");
        await File.WriteAllBytesAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
