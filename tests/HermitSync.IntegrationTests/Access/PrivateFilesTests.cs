using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Testing.Peers;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Access;

/// <summary>The site's folder holds the plaintext notes and its secrets: nothing in it is readable by another account.</summary>
[Collection(SingleSiteCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests(StackFixture stack)
{
    internal const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Every_file_and_folder_the_site_makes_is_its_owners_alone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var site = stack.Site();
        using (var web = stack.WebBrowserClient())
        {
            await Sites.CreateAsync(web, "private", "only mine");
        }
        await Sites.WaitForExportAsync(stack);
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var backup = await commands.ExecuteCommandAsync(stack.Name("", SiteResource.Rqlite), "backup", timeout.Token);
        Assert.True(backup.Success, backup.Message);
        await QuarantineAWorldReadableFileAsync(timeout.Token);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(site.DataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(site.AccessTokenFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(site.RqliteDirectory, "auth.json")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(site.RqliteDirectory, "backups"), "*.sqlite3"));
        Assert.NotEmpty(Directory.GetFiles(site.SyncFolder, "*.hsync", SearchOption.AllDirectories));
        Assert.Empty(Readable(site.DataDirectory));
    }

    [Fact]
    public async Task Every_process_of_the_site_makes_files_for_its_owner_alone()
    {
        foreach (var resource in stack.Processes)
        {
            var pid = await ResourceProcess.PidAsync(stack.App, resource, CancellationToken.None);
            var status = await File.ReadAllLinesAsync($"/proc/{pid}/status");
            Assert.Contains("Umask:\t0077", status);
        }
    }

    /// <summary>Every file or folder under <paramref name="root"/> that someone other than its owner may read, write or enter.</summary>
    internal static IReadOnlyList<string> Readable(string root) =>
        new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(entry => (File.GetUnixFileMode(entry.FullName) & GroupAndOthers) != 0)
            .Select(entry => $"{entry.FullName} {File.GetUnixFileMode(entry.FullName)}")
            .ToArray();

    /// <summary>
    /// A garbage change file that anyone may read, as a peer's older Syncthing could leave, from a
    /// peer this site trusts, so it is read and refused: its quarantined copy must not be readable.
    /// </summary>
    private async Task QuarantineAWorldReadableFileAsync(CancellationToken cancellationToken)
    {
        var site = stack.Site();
        using var peer = new PeerSite();
        using var syncthing = stack.SyncthingClient();
        await peer.IntroduceAsync(syncthing, site.SyncFolder, cancellationToken);
        var garbage = Path.Combine(site.SyncFolder, peer.Name(1).RelativePath);
        await File.WriteAllBytesAsync(garbage, "not a change file"u8.ToArray(), cancellationToken);
        File.SetUnixFileMode(garbage, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            while (!Directory.Exists(site.QuarantineFolder) || Directory.GetFiles(site.QuarantineFolder, "*.reason.txt").Length == 0)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(garbage)!, recursive: true);
            await peer.DismissAsync(syncthing, cancellationToken);
        }
    }
}
