using System.Runtime.Versioning;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;

namespace HermitSync.IntegrationTests.Access;

/// <summary>A data directory left readable by others, by an older release or by hand, is tightened when the site next starts.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class TightenOnStartTests(StackFixture stack) : IClassFixture<StackFixture>
{
    private const UnixFileMode Loose =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    [Fact]
    public async Task A_site_others_could_read_is_owner_only_after_a_restart_and_its_cluster_forms_again()
    {
        var site = stack.Site();
        Note note;
        using (var web = stack.WebBrowserClient())
        {
            note = await Sites.CreateAsync(web, "kept through a restart", "and private again");
        }
        await stack.StopAsync();
        Assert.Empty(await ProcessTable.WaitUntilNoneMentionAsync(stack.DataDirectory, TimeSpan.FromSeconds(30)));
        Loosen(site.DataDirectory);
        var someoneElses = Path.Combine(site.DataDirectory, "my-own-notes.txt");
        await File.WriteAllTextAsync(someoneElses, "not the app's");
        File.SetUnixFileMode(someoneElses, Loose);
        Assert.NotEmpty(PrivateFilesTests.Readable(site.RqliteDirectory));

        await stack.StartAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(site.DataDirectory));
        foreach (var path in site.DataPaths.Where(Path.Exists))
        {
            Assert.Equal(0, (int)(File.GetUnixFileMode(path) & PrivateFilesTests.GroupAndOthers));
            if (Directory.Exists(path))
            {
                Assert.Empty(PrivateFilesTests.Readable(path));
            }
        }
        Assert.Equal(Loose, File.GetUnixFileMode(someoneElses));
        var nodes = await stack.Rqlite().GetNodesAsync();
        Assert.Equal(3, nodes.Count(n => n.Voter && n.Reachable));
        using var again = stack.WebBrowserClient();
        Assert.Equal(note.Body, (await Sites.GetAsync(again, note)).Body);
    }

    /// <summary>What a default umask of 022 would have made: folders 0755, files 0644.</summary>
    private static void Loosen(string root)
    {
        File.SetUnixFileMode(root, Loose | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
        {
            File.SetUnixFileMode(entry.FullName, entry is DirectoryInfo
                ? Loose | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute
                : Loose);
        }
    }
}
