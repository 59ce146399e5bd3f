using System.Runtime.Versioning;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Sync;
using HermitSync.UnitTests.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.UnitTests.ChangeFiles;

public sealed class QuarantineTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hermit-quarantine-").FullName;
    private readonly ManualTime _time = new(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));

    private Quarantine Quarantine(long quota) =>
        new(Options.Create(new SyncOptions { QuarantineFolder = _folder, QuarantineQuotaBytes = quota }), _time);

    [Fact]
    public void Each_refusal_is_kept_with_its_reason_under_a_name_that_cannot_leave_the_folder()
    {
        Quarantine(1024 * 1024).Keep("sites/../../etc/passwd", [1, 2, 3], RejectionReason.NotAChangeFile, "not a change file");

        var copy = Assert.Single(Directory.GetFiles(_folder), f => !f.EndsWith(".reason.txt", StringComparison.Ordinal));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(copy));
        Assert.DoesNotContain("/", Path.GetFileName(copy)[..^1]);
        Assert.Contains("NotAChangeFile: not a change file", File.ReadAllText(copy + ".reason.txt"));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void Copies_and_reasons_are_the_owners_alone_whatever_the_umask()
    {
        Quarantine(1024 * 1024).Keep("sites/x/c-000000000001.hsync", [1, 2, 3], RejectionReason.Malformed, "bad");

        Assert.All(Directory.GetFiles(_folder), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public void Past_the_quota_the_oldest_copies_go_first()
    {
        var quarantine = Quarantine(10_000);

        for (var i = 0; i < 30; i++)
        {
            _time.Now += TimeSpan.FromSeconds(1);
            quarantine.Keep($"sites/x/c-{i:D12}.hsync", new byte[1000], RejectionReason.Malformed, "bad");
        }

        var kept = Directory.GetFiles(_folder);
        Assert.True(kept.Sum(f => new FileInfo(f).Length) <= 10_000);
        Assert.Contains(kept, f => f.Contains("c-000000000029", StringComparison.Ordinal));
        Assert.DoesNotContain(kept, f => f.Contains("c-000000000000", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_larger_than_the_quota_leaves_only_its_reason()
    {
        Quarantine(100).Keep("sites/x/c-000000000001.hsync", new byte[5000], RejectionReason.TooLarge, "too large");

        var reason = Assert.Single(Directory.GetFiles(_folder, "*.reason.txt"));
        Assert.Contains("were not kept", File.ReadAllText(reason));
        Assert.Equal(0, new FileInfo(reason[..^".reason.txt".Length]).Length);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
