using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using HermitSync.Testing.Peers;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace HermitSync.IntegrationTests.Faults;

/// <summary>
/// Two sites paired through real Syncthing, with the faults a laptop meets: the peer away for
/// many edits, the exporter killed halfway through a file, a disk that refuses a write. Each
/// test ends with both sites' tables and revision sets identical, and no file refused at either.
/// The pair is its own: the kills and the load of large notes would change what the tests of a
/// shared pair see, such as a site whose revisions no longer fit in one snapshot.
/// </summary>
public sealed class SyncFaultTests(PairedSitesFixture fixture, ITestOutputHelper output) : IClassFixture<PairedSitesFixture>
{
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(90);
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task A_peer_offline_for_hundreds_of_edits_catches_up_and_both_sites_converge()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var commands = _stack.App.Services.GetRequiredService<ResourceCommandService>();
        var rejections = await Sites.RejectionCountsAsync(_stack);
        var shared = await Sites.CreateAsync(a, "edited on both sides", "before");
        var sharedAtB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, shared), "the note did not reach B");

        Assert.True((await commands.ExecuteCommandAsync(_stack.Name("b", SiteResource.Syncthing), KnownResourceCommands.StopCommand, timeout.Token)).Success);
        try
        {
            await Sites.EventuallyAsync(async () => await Sites.PeerConnectedAsync(a) ? null : (bool?)true, "A still sees B connected");
            var made = new List<Note>();
            for (var i = 0; i < 200; i++)
            {
                made.Add(await Sites.CreateAsync(a, $"while B was away {i}", $"body {i}"));
            }
            foreach (var note in made.Take(100))
            {
                await Sites.EditAsync(a, note, note.Title, "edited while B was away");
            }
            await Sites.EditAsync(a, shared, "edited on both sides", "A's version");
            await Sites.EditAsync(b, sharedAtB, "edited on both sides", "B's version");
            for (var i = 0; i < 20; i++)
            {
                await Sites.CreateAsync(b, $"made at B while apart {i}", "");
            }
        }
        finally
        {
            await ResourceProcess.StartAsync(_stack.App, _stack.Name("b", SiteResource.Syncthing), timeout.Token);
        }

        await Sites.WaitUntilConvergedAsync(_stack, Convergence);
        Assert.Equal(1, (await Sites.GetAsync(b, shared)).Conflicts);
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }

    [Fact]
    public async Task An_exporter_killed_while_it_writes_a_change_file_publishes_nothing_half_written_and_rewrites_that_file()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        using var a = _stack.WebBrowserClient("a");
        var exporter = _stack.Name("a", SiteResource.Exporter);
        var rejections = await Sites.RejectionCountsAsync(_stack);
        await Sites.CreateAsync(a, "before the exporter is killed", "");
        await Sites.WaitForExportAsync(_stack, "a");
        var folder = await SiteFolderAsync(a);
        var keyring = new SyncKeyring(_stack.SyncPassphrase);

        InterruptedExport interrupted;
        // Large notes make large files, which take long enough to write and flush that a kill can land inside one.
        var load = new WriteLoad(_stack.ApiClient("a"), writers: 4, padding: 256 * 1024);
        await using (load)
        {
            try
            {
                interrupted = await KillDuringAnExportAsync(exporter, folder, keyring, TimeSpan.FromMinutes(3), timeout.Token);
            }
            finally
            {
                await load.StopAsync();
                await ResourceProcess.StartIfDownAsync(_stack.App, exporter, timeout.Token);
            }
        }
        output.WriteLine($"kill {interrupted.Kills} left {Path.GetFileName(interrupted.Leftover)} with {interrupted.Content.Length} bytes, {(interrupted.OpensWhole ? "all written but not yet renamed" : "cut short")}");

        await Sites.WaitUntilConvergedAsync(_stack, Convergence);
        var atB = (await Sites.NotesAsync(_stack, "b")).Select(row => row.Id).ToHashSet();
        Assert.All(load.Acknowledged.Keys, id => Assert.Contains(id, atB));
        Assert.False(File.Exists(interrupted.Leftover), "the restarted exporter should have rewritten the interrupted file");
        AssertEveryFileOpensWhole(folder, keyring);
        Assert.True(await AppliedAtBAsync(interrupted.Name), $"B never applied {interrupted.Name.FileName}, nor a snapshot that covers it");
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }

    [Fact]
    public async Task A_change_file_that_cannot_be_written_is_retried_and_nothing_is_skipped()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountsAsync(_stack);
        await Sites.CreateAsync(a, "before the disk fills", "");
        await Sites.WaitForExportAsync(_stack, "a");
        var folder = await SiteFolderAsync(a);
        // A snapshot now, so that none is due and the next file is a change file, under the number taken below.
        var commands = _stack.App.Services.GetRequiredService<ResourceCommandService>();
        var exported = await commands.ExecuteCommandAsync(_stack.Name("a", SiteResource.Exporter), "export-now");
        Assert.True(exported.Success, exported.Message);

        // The next file's temporary path leads to /dev/full, so its write fails as on a full disk.
        // Its number is the one after the last the ledger records, as the exporter counts.
        var sequence = (await _stack.Rqlite("a").QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Strong)).LastFileSeq + 1;
        var full = Path.Combine(folder, $".syncthing.c-{sequence:D12}.hsync.tmp");
        File.CreateSymbolicLink(full, "/dev/full");
        try
        {
            var note = await Sites.CreateAsync(a, "written to a full disk", "and still delivered");
            var exporter = $"{_stack.Name("a", SiteResource.Exporter)}:";
            try
            {
                await Sites.EventuallyAsync(
                    () => Task.FromResult(_stack.LogLines.Any(line => line.StartsWith(exporter) && line.Contains("No space left on device")) ? true : (bool?)null),
                    "the exporter never hit the full disk");
            }
            catch (Xunit.Sdk.XunitException e)
            {
                throw new Xunit.Sdk.XunitException($"{e.Message} at {Path.GetFileName(full)}; the folder holds {string.Join(", ", Directory.GetFiles(folder).Select(Path.GetFileName))}; " +
                    $"the exporter last logged:{Environment.NewLine}{string.Join(Environment.NewLine, _stack.LogLines.Where(line => line.StartsWith(exporter)).TakeLast(8))}");
            }
            var atB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B once the disk had room");
            Assert.Equal("and still delivered", atB.Body);
        }
        finally
        {
            if (new FileInfo(full).LinkTarget is not null)
            {
                File.Delete(full);
            }
        }
        Assert.True(File.Exists(Path.Combine(folder, $"c-{sequence:D12}.hsync")), "the failed file's number was skipped");
        await Sites.WaitUntilConvergedAsync(_stack, Convergence);
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }

    /// <summary>
    /// An export the kill cut off: the temporary file it left, what the file held then, whether
    /// that was already a whole change file, and the file it was to become.
    /// </summary>
    private sealed record InterruptedExport(string Leftover, byte[] Content, bool OpensWhole, ChangeFileName Name, int Kills);

    /// <summary>
    /// SIGKILLs the exporter as soon as it starts writing a file, until one kill lands before the
    /// file is renamed into place; a kill that comes too late only restarts the exporter. After
    /// every kill, each file under a change file's name must still open whole.
    /// </summary>
    private async Task<InterruptedExport> KillDuringAnExportAsync(string exporter, string folder, SyncKeyring keyring, TimeSpan patience, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        for (var kills = 1; ; kills++)
        {
            var left = patience - deadline.Elapsed;
            Assert.True(left > TimeSpan.Zero, $"{kills - 1} kills in {patience.TotalMinutes:0} min, and none landed while a file was being written");
            var process = ProcessTable.Read(await ResourceProcess.PidAsync(_stack.App, exporter, cancellationToken));
            Assert.NotNull(process);
            var writing = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            using (var watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName })
            {
                watcher.Created += (_, created) =>
                {
                    KillNow(process.Pid);
                    writing.TrySetResult(created.FullPath);
                };
                watcher.EnableRaisingEvents = true;
                var file = await writing.Task.WaitAsync(left, cancellationToken);
                await WaitUntilGoneAsync(process, cancellationToken);
                AssertEveryFileOpensWhole(folder, keyring);
                var leftover = Path.GetFileName(file);
                if (File.Exists(file) && leftover.StartsWith(".syncthing.", StringComparison.Ordinal))
                {
                    var content = await File.ReadAllBytesAsync(file, cancellationToken);
                    var opensWhole = Record.Exception(() => ChangeFile.Open(keyring, KeysOf(folder), content)) is null;
                    var name = leftover[".syncthing.".Length..^".tmp".Length];
                    Assert.True(ChangeFileName.TryParse($"{ChangeFileName.SitesFolder}/{Path.GetFileName(folder)}/{name}", out var changeFile), $"{leftover} is no change file's temporary name");
                    return new InterruptedExport(file, content, opensWhole, changeFile!, kills);
                }
            }
            await ResourceProcess.StartAsync(_stack.App, exporter, cancellationToken);
        }
    }

    private static void KillNow(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static async Task WaitUntilGoneAsync(ProcessEntry process, CancellationToken cancellationToken)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        while (ProcessTable.IsRunning(process))
        {
            await Task.Delay(50, patience.Token);
        }
    }

    /// <summary>The keys stated by the cards in the sync folder that holds a site's folder.</summary>
    private static CardKeys KeysOf(string siteFolder) => new(Path.GetDirectoryName(Path.GetDirectoryName(siteFolder))!);

    /// <summary>Every file in the folder under a change file's name is whole: a peer could take it as it is.</summary>
    private static void AssertEveryFileOpensWhole(string folder, SyncKeyring keyring)
    {
        foreach (var file in Directory.GetFiles(folder, "*.hsync"))
        {
            var problem = Record.Exception(() => ChangeFile.Open(keyring, KeysOf(folder), File.ReadAllBytes(file)));
            Assert.True(problem is null, $"{Path.GetFileName(file)} is published but does not open: {problem?.Message}");
        }
    }

    /// <summary>Whether B applied that file of A, or a snapshot of A's that covers it.</summary>
    private async Task<bool> AppliedAtBAsync(ChangeFileName name) =>
        (await _stack.Rqlite("b").QueryAsync(SyncLedgerSql.Applied, ReadConsistency.Strong)).Any(applied => applied.SiteId == name.SiteId
            && ((applied.Kind == name.Kind && applied.FileSeq == name.Sequence) || (applied.Kind == ChangeFileKind.Snapshot && applied.FileSeq > name.Sequence)));

    private async Task<string> SiteFolderAsync(HttpClient site) =>
        Path.Combine(_stack.Site("a").SyncFolder, ChangeFileName.SitesFolder, await Sites.SiteIdAsync(site));
}
