using System.Runtime.Versioning;
using HermitSync.AppHost;

namespace HermitSync.IntegrationTests.Access;

/// <summary>The AppHost's keeping of a site's access key and its tightening of a data directory, on a real file system.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class AccessKeyFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hermit-key-").FullName;

    private string KeyFile => Path.Combine(_directory, "access-token");

    [Fact]
    public async Task The_first_start_makes_a_256_bit_key_for_the_owner_alone_and_later_starts_keep_it()
    {
        var first = await AccessKeyFile.EnsureAsync(KeyFile, rotate: false, CancellationToken.None);
        var again = await AccessKeyFile.EnsureAsync(KeyFile, rotate: false, CancellationToken.None);

        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, again);
        Assert.Equal(first, (await File.ReadAllTextAsync(KeyFile)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public async Task Rotating_replaces_the_key_and_keeps_the_file_owner_only()
    {
        var first = await AccessKeyFile.EnsureAsync(KeyFile, rotate: false, CancellationToken.None);
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var rotated = await AccessKeyFile.EnsureAsync(KeyFile, rotate: true, CancellationToken.None);

        Assert.NotEqual(first, rotated);
        Assert.Equal(rotated, (await File.ReadAllTextAsync(KeyFile)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task A_key_too_short_to_be_one_is_replaced()
    {
        await File.WriteAllTextAsync(KeyFile, "letmein\n");

        var key = await AccessKeyFile.EnsureAsync(KeyFile, rotate: false, CancellationToken.None);

        Assert.Matches("^[0-9a-f]{64}$", key);
    }

    [Fact]
    public void Tightening_takes_group_and_others_rights_from_everything_and_follows_no_link()
    {
        var nested = Directory.CreateDirectory(Path.Combine(_directory, "data", "deep")).FullName;
        var file = Path.Combine(nested, "db.sqlite");
        File.WriteAllText(file, "");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(nested, (UnixFileMode)0b111_101_101);
        var outside = Path.Combine(_directory, "outside.txt");
        File.WriteAllText(outside, "");
        File.SetUnixFileMode(outside, (UnixFileMode)0b110_100_100);
        File.CreateSymbolicLink(Path.Combine(nested, "link"), outside);

        OwnerOnly.TightenAll(Path.Combine(_directory, "data"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(nested));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(outside));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
