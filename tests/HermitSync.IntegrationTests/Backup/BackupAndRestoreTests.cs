using System.Runtime.Versioning;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.AppHost.Site;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Backup;

/// <summary>Two paired sites that back up every two seconds and keep three: the schedule runs while the tests watch.</summary>
public sealed class BackupSitesFixture() : StackHolder(new StackFixture(2, null, "--HermitSync:Backups:Interval=00:00:02", "--HermitSync:Backups:Keep=3"));

/// <summary>
/// Automatic backups, and <c>./hermit restore</c>'s start: a site rebuilt from a backup keeps its
/// id, gets back what it and its peer wrote after the backup, and two sites restoring different
/// backups at once converge.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class BackupAndRestoreTests(BackupSitesFixture fixture) : IClassFixture<BackupSitesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task Automatic_backups_are_whole_owner_only_and_rotated_and_the_dashboards_are_kept()
    {
        var directory = _stack.RqliteCluster("a").BackupDirectory;
        var manual = await BackUpAsync("a");

        // Three intervals after the third backup, the three newest are still all there is.
        var first = await Sites.EventuallyAsync(() => Task.FromResult(RqliteBackups.Automatic(directory) is { Count: 3 } three ? three : null),
            "three automatic backups were not taken", Patience);
        await Sites.EventuallyAsync(() => Task.FromResult(RqliteBackups.Automatic(directory).Intersect(first).Any() ? (bool?)null : true),
            "the oldest automatic backups were not replaced", Patience);

        var automatic = RqliteBackups.Automatic(directory);
        Assert.InRange(automatic.Count, 1, 3);
        Assert.True(File.Exists(manual), "the dashboard's backup was deleted with the automatic ones");
        Assert.DoesNotContain(Directory.GetFiles(directory), path => path.EndsWith(".partial", StringComparison.Ordinal));
        var siteId = await SiteIdAsync("a");
        foreach (var backup in automatic.Append(manual))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
            Assert.Equal(siteId, SiteBackup.SiteIdOf(backup));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
    }

    [Fact]
    public async Task A_restored_site_keeps_its_id_gets_back_what_came_after_and_two_sites_restoring_different_backups_converge()
    {
        var (a, b) = (_stack.WebBrowserClient("a"), _stack.WebBrowserClient("b"));
        var siteA = await SiteIdAsync("a");
        await Sites.CreateAsync(a, "before A's backup, from A", "1");
        var edited = await Sites.CreateAsync(b, "before A's backup, from B", "2");
        await Sites.WaitUntilConvergedAsync(_stack, Patience);
        var backupA = await BackUpAsync("a");

        await Sites.CreateAsync(a, "after A's backup, from A", "3");
        var atB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, edited), "B's note did not come back to B", Patience);
        await Sites.EditAsync(b, atB, "edited at B after A's backup", "2, edited");
        await Sites.WaitUntilConvergedAsync(_stack, Patience);
        var backupB = await BackUpAsync("b");

        await Sites.CreateAsync(a, "after both backups, from A", "5");
        await Sites.CreateAsync(b, "after both backups, from B", "6");
        await Sites.WaitForExportAsync(_stack, "a");
        await Sites.WaitUntilConvergedAsync(_stack, Patience);
        var everything = await Sites.NotesAsync(_stack, "b");
        var lastFileA = (await _stack.Rqlite("a").QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Strong)).LastFileSeq;

        // A alone goes back to its backup: what A wrote after it comes from A's own files, what B wrote from B's.
        await RestartAsync($"--HermitSync:Restore:a={backupA}");
        (a, b) = (_stack.WebBrowserClient("a"), _stack.WebBrowserClient("b"));
        Assert.Equal(siteA, await SiteIdAsync("a"));
        Assert.Single(Directory.GetDirectories(_stack.Site("a").RqliteDirectory, "replaced-*"));
        await Sites.WaitUntilConvergedAsync(_stack, Patience);
        Assert.Equal(everything, await Sites.NotesAsync(_stack, "a"));
        // A's next file takes a name no peer has applied, so what A writes now still arrives.
        var afterRestore = await Sites.CreateAsync(a, "after A's restore, from A", "7");
        Assert.Equal("7", (await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, afterRestore), "A's note after its restore did not reach B", Patience)).Body);
        Assert.True((await _stack.Rqlite("a").QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Strong)).LastFileSeq > lastFileA);
        Assert.DoesNotContain((await Sites.StatusAsync(a)).Rejections, r => r.Reason == "NameTaken");

        // Both go back at once, each to another point: the seed's restore collision.
        await RestartAsync($"--HermitSync:Restore:a={backupA}", $"--HermitSync:Restore:b={backupB}");
        (a, b) = (_stack.WebBrowserClient("a"), _stack.WebBrowserClient("b"));
        await Sites.WaitUntilConvergedAsync(_stack, Patience);
        var converged = await Sites.NotesAsync(_stack, "a");
        Assert.Equal(everything.Count + 1, converged.Count);
        Assert.Equal("2, edited", (await Sites.GetAsync(a, edited)).Body);
        var afterCollision = await Sites.CreateAsync(b, "after both restores, from B", "8");
        Assert.Equal("8", (await Sites.EventuallyAsync(() => Sites.TryGetAsync(a, afterCollision), "B's note after both restores did not reach A", Patience)).Body);
        // A restored database brings its search index and label tables with it, and the merges after it keep them exact.
        foreach (var site in new[] { "a", "b" })
        {
            await _stack.Rqlite(site).ExecuteAsync(NoteSql.CheckSearchIndex);
            Assert.Equal(0, await _stack.Rqlite(site).QueryAsync(OrganizationSql.LabelMismatches));
        }
        a.Dispose();
        b.Dispose();
    }

    /// <summary>Stops both sites, sees every process gone, as a person would before <c>./hermit restore</c>, and starts them so.</summary>
    private async Task RestartAsync(params string[] once)
    {
        await _stack.StopAsync();
        Assert.Empty(await _stack.StartedProcesses.WaitUntilNoneRunsAsync(_stack.DataDirectory, TimeSpan.FromSeconds(30)));
        await _stack.StartAsync(once);
    }

    /// <summary>Runs the dashboard's "Back up database" on a site's cluster; returns the backup's path.</summary>
    private async Task<string> BackUpAsync(string site)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var commands = _stack.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(_stack.Name(site, SiteResource.Rqlite), "backup", timeout.Token);
        Assert.True(result.Success, result.Message);
        return Directory.GetFiles(_stack.RqliteCluster(site).BackupDirectory, RqliteBackups.ManualPrefix + "*").Max()!;
    }

    private async Task<string> SiteIdAsync(string site) =>
        (await SiteIdentity.ReadAsync(_stack.Rqlite(site), CancellationToken.None))!.SiteId;
}
