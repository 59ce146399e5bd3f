using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Faults;

/// <summary>
/// Two sites paired through real Syncthing, with the faults a laptop meets: the peer away for
/// many edits, the exporter killed halfway through a file, a disk that refuses a write. Each
/// test ends with both sites identical, every revision once, and no file rejected.
/// </summary>
[Collection(PairedSitesCollection.Name)]
public sealed class SyncFaultTests(PairedSitesFixture fixture)
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
        var rejections = await Sites.RejectionCountAsync(b);
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

        await WaitUntilConvergedAsync();
        Assert.Equal(1, (await Sites.GetAsync(b, shared)).Conflicts);
        Assert.Equal(rejections, await Sites.RejectionCountAsync(b));
    }

    [Fact]
    public async Task An_exporter_killed_mid_file_leaves_nothing_half_applied_and_resumes_where_it_stopped()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
                var rejections = await Sites.RejectionCountAsync(b);
        var folder = await SiteFolderAsync(a);

        await using var load = new WriteLoad(_stack.ApiClient("a"), writers: 2);
        await load.WaitForAcknowledgementsAsync(50, TimeSpan.FromSeconds(60));
        await ResourceProcess.KillAsync(_stack.App, _stack.Name("a", SiteResource.Exporter), timeout.Token);

        // What a kill during a write leaves behind: part of a file under the temporary name.
        var leftover = Path.Combine(folder, $".syncthing.c-{NextSequence(folder):D12}.hsync.tmp");
        var someFile = Directory.GetFiles(folder, "*.hsync").First();
        await File.WriteAllBytesAsync(leftover, (await File.ReadAllBytesAsync(someFile))[..^40], timeout.Token);

        await load.WaitForAcknowledgementsAsync(50, TimeSpan.FromSeconds(60));
        await load.StopAsync();
        await ResourceProcess.StartAsync(_stack.App, _stack.Name("a", SiteResource.Exporter), timeout.Token);

        await WaitUntilConvergedAsync();
        var atB = (await Sites.NotesAsync(_stack, "b")).Select(row => row.Id).ToHashSet();
        Assert.All(load.Acknowledged.Keys, id => Assert.Contains(id, atB));
        Assert.False(File.Exists(leftover), "the restarted exporter should have rewritten the interrupted file");
        Assert.Equal(rejections, await Sites.RejectionCountAsync(b));
    }

    [Fact]
    public async Task A_change_file_that_cannot_be_written_is_retried_and_nothing_is_skipped()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountAsync(b);
        var folder = await SiteFolderAsync(a);
        await Sites.WaitForExportAsync(_stack, "a");

        // The next file's temporary path leads to /dev/full, so its write fails as on a full disk.
        var sequence = NextSequence(folder);
        var full = Path.Combine(folder, $".syncthing.c-{sequence:D12}.hsync.tmp");
        File.CreateSymbolicLink(full, "/dev/full");
        try
        {
            var note = await Sites.CreateAsync(a, "written to a full disk", "and still delivered");
            await Sites.EventuallyAsync(
                () => Task.FromResult(_stack.LogLines.Any(line => line.StartsWith("a-exporter:") && line.Contains("No space left on device")) ? true : (bool?)null),
                "the exporter never hit the full disk");
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
        await WaitUntilConvergedAsync();
        Assert.Equal(rejections, await Sites.RejectionCountAsync(b));
    }

    private async Task<string> SiteFolderAsync(HttpClient site) =>
        Path.Combine(_stack.Site("a").SyncFolder, "sites", await Sites.SiteIdAsync(site));

    private static long NextSequence(string folder) =>
        Directory.GetFiles(folder, "*.hsync").Select(f => long.Parse(Path.GetFileNameWithoutExtension(f)[2..])).DefaultIfEmpty(0).Max() + 1;

    /// <summary>Both sites hold the same notes and the same number of revisions: nothing lost, nothing applied twice.</summary>
    private async Task WaitUntilConvergedAsync()
    {
        await Sites.EventuallyAsync(async () =>
        {
            var (left, right) = (await Sites.NotesAsync(_stack, "a"), await Sites.NotesAsync(_stack, "b"));
            return left.SequenceEqual(right) && (await Sites.RevisionsAsync(_stack, "a")).SequenceEqual(await Sites.RevisionsAsync(_stack, "b")) ? true : (bool?)null;
        }, "the sites did not converge", Convergence);
    }
}
