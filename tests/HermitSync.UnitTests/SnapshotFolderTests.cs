using HermitSync.Exporter.Snapshots;

namespace HermitSync.UnitTests;

public sealed class SnapshotFolderTests : IDisposable
{
    private readonly string _path = Directory.CreateTempSubdirectory("hermit-snapshots-").FullName;

    public void Dispose() => Directory.Delete(_path, recursive: true);

    [Fact]
    public async Task A_snapshot_appears_whole_under_its_final_name_and_records_its_raft_index()
    {
        var folder = new SnapshotFolder(_path);

        var snapshot = await folder.WriteAsync(42, DateTimeOffset.Parse("2026-11-26T10:00:00Z"), (s, ct) => s.WriteAsync("SQLite format 3\0"u8.ToArray(), ct).AsTask(), default);

        Assert.Equal("hermit-snapshot-20261126T100000000Z-42.db", Path.GetFileName(snapshot.FilePath));
        Assert.Equal(42, folder.List().Single().AppliedIndex);
        Assert.Single(Directory.GetFiles(_path));
    }

    [Fact]
    public async Task A_failed_write_leaves_no_file_behind()
    {
        var folder = new SnapshotFolder(_path);

        await Assert.ThrowsAsync<IOException>(() => folder.WriteAsync(1, DateTimeOffset.UtcNow, async (s, ct) =>
        {
            await s.WriteAsync(new byte[100], ct);
            throw new IOException("backup interrupted");
        }, default));

        Assert.Empty(Directory.GetFiles(_path));
    }

    [Fact]
    public async Task Pruning_keeps_the_newest()
    {
        var folder = new SnapshotFolder(_path);
        var start = DateTimeOffset.Parse("2026-11-26T10:00:00Z");
        for (var i = 0; i < 5; i++)
        {
            await folder.WriteAsync(i, start.AddMinutes(i), (s, ct) => s.WriteAsync(new byte[] { 1 }, ct).AsTask(), default);
        }

        var removed = folder.Prune(keep: 2);

        Assert.Equal([0L, 1, 2], removed.Select(s => s.AppliedIndex));
        Assert.Equal([3L, 4], folder.List().Select(s => s.AppliedIndex));
    }

    [Fact]
    public void Files_that_are_not_snapshots_are_ignored()
    {
        File.WriteAllText(Path.Combine(_path, "hermit-snapshot-garbage.db"), "x");
        File.WriteAllText(Path.Combine(_path, ".syncthing.hermit-snapshot-20261126T100000000Z-1.db.tmp"), "x");

        Assert.Empty(new SnapshotFolder(_path).List());
    }
}
