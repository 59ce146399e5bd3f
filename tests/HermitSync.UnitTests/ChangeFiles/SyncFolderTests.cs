using System.Diagnostics;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Sync;
using HermitSync.Exporter.Trust;
using HermitSync.Storage;

namespace HermitSync.UnitTests.ChangeFiles;

/// <summary>
/// The sync folder read strictly, on a real file system: only change files two levels down,
/// nothing followed through a link, nothing read past its length or the limit, and everything
/// else reported as it stands.
/// </summary>
public sealed class SyncFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hermit-folder-").FullName;
    private readonly string _site = SiteIds.New();
    private readonly SyncFolder _folder;

    public SyncFolderTests()
    {
        _folder = new SyncFolder(_root);
        Directory.CreateDirectory(_folder.FolderOf(_site));
    }

    private string InSite(string name) => Path.Combine(_folder.FolderOf(_site), name);

    [Fact]
    public void A_change_file_is_a_candidate_and_syncthings_own_entries_are_passed_over()
    {
        File.WriteAllBytes(InSite("c-000000000001.hsync"), [1, 2, 3]);
        Directory.CreateDirectory(InSite(".stfolder"));
        File.WriteAllText(InSite(".stignore"), "");
        File.WriteAllBytes(InSite(".syncthing.c-000000000002.hsync.tmp"), [1]);

        var (candidates, strangers) = _folder.Scan();

        var candidate = Assert.Single(candidates);
        Assert.Equal(new ChangeFileName(_site, ChangeFileKind.Changes, 1), candidate.Name);
        Assert.Equal(3, candidate.Length);
        Assert.Empty(strangers);
    }

    [Fact]
    public async Task A_sites_card_is_found_as_a_card_and_rewritten_whole_in_place()
    {
        var path = SiteCard.RelativePathOf(_site);

        await _folder.ReplaceAsync(path, [1, 2, 3], CancellationToken.None);
        await _folder.ReplaceAsync(path, [4, 5], CancellationToken.None);
        var scan = _folder.Scan();

        var card = Assert.Single(scan.Cards);
        Assert.Equal((path, _site, 2L), (card.RelativePath, card.SiteId, card.Length));
        Assert.Equal([4, 5], _folder.Read(path, 10));
        Assert.Empty(scan.Strangers);
        Assert.Empty(scan.Candidates);
        Assert.Equal(SyncFolder.NamedEntry.Stranger, _folder.Look(path).Kind);
    }

    [Fact]
    public void A_named_change_file_is_a_candidate_as_the_scan_sees_it()
    {
        File.WriteAllBytes(InSite("c-000000000001.hsync"), [1, 2, 3]);
        var relative = Path.GetRelativePath(_root, InSite("c-000000000001.hsync"));

        var (kind, candidate) = _folder.Look(relative);

        Assert.Equal(SyncFolder.NamedEntry.Candidate, kind);
        Assert.Equal(Assert.Single(_folder.Scan().Candidates), candidate);
    }

    [Fact]
    public void A_named_entry_that_is_gone_or_syncthings_own_is_nothing_to_look_at()
    {
        File.WriteAllBytes(InSite(".syncthing.c-000000000002.hsync.tmp"), [1]);

        Assert.Equal(SyncFolder.NamedEntry.Nothing, _folder.Look(Path.GetRelativePath(_root, InSite(".syncthing.c-000000000002.hsync.tmp"))).Kind);
        Assert.Equal(SyncFolder.NamedEntry.Nothing, _folder.Look(Path.GetRelativePath(_root, InSite("c-000000000003.hsync"))).Kind);
    }

    [Fact]
    public void A_named_link_a_folder_or_a_file_under_a_linked_site_is_left_to_the_scan()
    {
        File.CreateSymbolicLink(InSite("c-000000000001.hsync"), "/dev/zero");
        Directory.CreateDirectory(InSite("c-000000000002.hsync"));
        File.WriteAllBytes(InSite("notes.txt"), [1]);
        var elsewhere = Directory.CreateTempSubdirectory("hermit-elsewhere-").FullName;
        File.WriteAllBytes(Path.Combine(elsewhere, "c-000000000001.hsync"), [1]);
        var linked = SiteIds.New();
        Directory.CreateSymbolicLink(_folder.FolderOf(linked), elsewhere);
        try
        {
            foreach (var entry in new[] { InSite("c-000000000001.hsync"), InSite("c-000000000002.hsync"), InSite("notes.txt"), Path.Combine(_folder.FolderOf(linked), "c-000000000001.hsync") })
            {
                var (kind, candidate) = _folder.Look(Path.GetRelativePath(_root, entry));
                Assert.True(kind == SyncFolder.NamedEntry.Stranger && candidate is null, $"{entry}: {kind}");
            }
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }

    [Fact]
    public void A_symbolic_link_to_dev_zero_under_a_change_files_name_is_refused_unopened()
    {
        File.CreateSymbolicLink(InSite("c-000000000001.hsync"), "/dev/zero");

        var (candidates, strangers) = _folder.Scan();

        Assert.Empty(candidates);
        Assert.Equal(RejectionReason.NotARegularFile, Assert.Single(strangers).Reason);
        Assert.Contains("/dev/zero", strangers[0].Detail);
    }

    [Fact]
    public void A_site_folder_that_links_to_the_root_is_not_followed()
    {
        var linked = SiteIds.New();
        Directory.CreateSymbolicLink(_folder.FolderOf(linked), "/");

        var (candidates, strangers) = _folder.Scan();

        Assert.Empty(candidates);
        var stranger = Assert.Single(strangers);
        Assert.Equal(RejectionReason.NotARegularFile, stranger.Reason);
        Assert.Equal(linked, stranger.SiteId);
    }

    [Fact]
    public void A_link_swapped_in_after_the_scan_is_still_not_followed_when_read()
    {
        var path = InSite("c-000000000001.hsync");
        File.WriteAllBytes(path, new byte[10]);
        var candidate = Assert.Single(_folder.Scan().Candidates);
        File.Delete(path);
        File.CreateSymbolicLink(path, "/dev/zero");

        var refused = Assert.Throws<ChangeFileRejectedException>(() => _folder.Read(candidate, maxBytes: 1024));

        Assert.Equal(RejectionReason.NotARegularFile, refused.Reason);
    }

    [Fact]
    public void A_sparse_file_of_3_gib_is_refused_by_its_length_without_being_read()
    {
        var path = InSite("c-000000000001.hsync");
        using (var file = File.Create(path))
        {
            file.SetLength(3L * 1024 * 1024 * 1024);
        }
        var candidate = Assert.Single(_folder.Scan().Candidates);
        // This thread's allocations only: the other tests, running beside this one, allocate too.
        var before = GC.GetAllocatedBytesForCurrentThread();

        var refused = Assert.Throws<ChangeFileRejectedException>(() => _folder.Read(candidate, maxBytes: 64 * 1024 * 1024));

        Assert.Equal(RejectionReason.TooLarge, refused.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public async Task A_named_pipe_under_a_change_files_name_is_refused_without_hanging()
    {
        var path = InSite("c-000000000001.hsync");
        using (var mkfifo = Process.Start("mkfifo", [path]))
        {
            mkfifo.WaitForExit(TimeSpan.FromSeconds(10));
        }
        var candidate = Assert.Single(_folder.Scan().Candidates);

        var read = Task.Run(() => _folder.Read(candidate, maxBytes: 1024));

        var refused = await Assert.ThrowsAsync<ChangeFileRejectedException>(() => read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(RejectionReason.NotARegularFile, refused.Reason);
    }

    [Theory]
    [InlineData("c-00000000000١.hsync")]
    [InlineData("c-000000000001.hsync\n")]
    [InlineData("c-000000000001.HSYNC")]
    [InlineData("x-000000000001.hsync")]
    [InlineData("notes.txt")]
    public void Any_other_name_is_refused_as_not_a_change_file(string name)
    {
        File.WriteAllBytes(InSite(name), [1]);

        var (candidates, strangers) = _folder.Scan();

        Assert.Empty(candidates);
        Assert.Equal(RejectionReason.NotAChangeFile, Assert.Single(strangers).Reason);
    }

    [Fact]
    public void Entries_in_the_wrong_place_are_refused_and_nothing_deeper_is_looked_at()
    {
        Directory.CreateDirectory(Path.Combine(_folder.Sites, "not-a-site-id"));
        File.WriteAllBytes(Path.Combine(_folder.Sites, "loose.hsync"), [1]);
        Directory.CreateDirectory(InSite("nested"));
        File.WriteAllBytes(Path.Combine(InSite("nested"), "c-000000000001.hsync"), [1]);

        var (candidates, strangers) = _folder.Scan();

        Assert.Empty(candidates);
        Assert.Equal(3, strangers.Count);
        Assert.All(strangers, s => Assert.Equal(RejectionReason.NotAChangeFile, s.Reason));
    }

    [Fact]
    public void A_stranger_keeps_its_fingerprint_until_it_changes()
    {
        File.CreateSymbolicLink(InSite("c-000000000001.hsync"), "/dev/zero");
        var first = Assert.Single(_folder.Scan().Strangers).Fingerprint;
        var again = Assert.Single(_folder.Scan().Strangers).Fingerprint;
        File.Delete(InSite("c-000000000001.hsync"));
        File.CreateSymbolicLink(InSite("c-000000000001.hsync"), "/dev/null");

        Assert.Equal(first, again);
        Assert.NotEqual(first, Assert.Single(_folder.Scan().Strangers).Fingerprint);
    }

    [Fact]
    public async Task A_name_already_taken_is_never_overwritten()
    {
        var name = new ChangeFileName(_site, ChangeFileKind.Changes, 1);
        File.WriteAllBytes(_folder.PathOf(name), [9, 9]);

        var written = await _folder.TryWriteOnceAsync(name, [1, 2, 3], CancellationToken.None);

        Assert.False(written);
        Assert.Equal([9, 9], File.ReadAllBytes(_folder.PathOf(name)));
        Assert.Empty(Directory.GetFiles(_folder.FolderOf(_site), "*.tmp"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
