using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Passphrase;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>Three sites paired with each other through real Syncthing: a stack of its own, for a test that changes their passphrase.</summary>
public sealed class ThreeSitesFixture() : StackHolder(new StackFixture(3, null));

/// <summary>
/// A passphrase change across three sites, one of them offline while it happens: A changes it,
/// B is given the new one, and C, back later, needs it, loses nothing meanwhile, and converges once
/// it has it. Each site then writes under the new epoch alone, and its snapshot retires its old files.
/// </summary>
public sealed class PassphraseChangeTests(ThreeSitesFixture fixture) : IClassFixture<ThreeSitesFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task A_change_reaches_every_site_given_the_new_passphrase_and_one_offline_during_it_converges_once_it_is_given_it()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        using var c = _stack.WebBrowserClient("c");
        var (siteA, siteB, siteC) = (await Sites.SiteIdAsync(a), await Sites.SiteIdAsync(b), await Sites.SiteIdAsync(c));
        var before = await Sites.CreateAsync(a, "before the change", "under the first passphrase");
        var photo = await Sites.AttachAsync(a, "photo.png", [0x89, .. "PNG\r\n"u8.ToArray(), .. Enumerable.Range(0, 5000).Select(i => (byte)i)]);
        foreach (var site in new[] { b, c })
        {
            await Sites.EventuallyAsync(() => Sites.TryGetAsync(site, before), "A's first note did not reach every site", Patience);
        }
        var oldEpoch = (await Sites.PairingAsync(a)).Passphrase.Epoch;

        // C goes offline: its exporter, which imports and exports, is stopped.
        var commands = _stack.App.Services.GetRequiredService<ResourceCommandService>();
        var exporterC = _stack.Name("c", SiteResource.Exporter);
        Assert.True((await commands.ExecuteCommandAsync(exporterC, KnownResourceCommands.StopCommand, timeout.Token)).Success);
        await _stack.App.ResourceNotifications.WaitForResourceAsync(exporterC, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), timeout.Token);

        var next = SyncPassphrases.Generate();
        Assert.Equal(HttpStatusCode.BadRequest, (await ChangeAsync(a, "not the passphrase", next)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ChangeAsync(a, _stack.SyncPassphrase, next)).StatusCode);
        var newEpoch = (await Sites.PairingAsync(a)).Passphrase.Epoch;
        Assert.NotEqual(oldEpoch, newEpoch);
        var after = await Sites.CreateAsync(a, "after the change", "under the new passphrase");
        var madeAtC = await Sites.CreateAsync(c, "made at C while it was offline", "exported once it is back");

        // B reads A's card: it needs the new passphrase, and A's new note waits, unread and unrefused.
        var needed = await Sites.EventuallyAsync(async () => (await Sites.PairingAsync(b)).Passphrase.Needed.SingleOrDefault(), "B does not say it needs the new passphrase", Patience);
        Assert.Equal(newEpoch, needed.Epoch);
        Assert.Contains(siteA, needed.Sites);
        Assert.Null(await Sites.TryGetAsync(b, after));
        // A passphrase no site uses is no way around the current one.
        Assert.Equal(HttpStatusCode.BadRequest, (await GiveAsync(b, SyncPassphrases.Generate())).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await GiveAsync(b, next)).StatusCode);
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, after), "A's note under the new passphrase did not reach B", Patience);
        Assert.Equal(newEpoch, (await Sites.PairingAsync(b)).Passphrase.Epoch);

        // C comes back: it still writes under the old passphrase, which A and B read, and needs the new one.
        Assert.True((await commands.ExecuteCommandAsync(exporterC, KnownResourceCommands.StartCommand, timeout.Token)).Success);
        await _stack.App.ResourceNotifications.WaitForResourceHealthyAsync(exporterC, timeout.Token);
        foreach (var site in new[] { a, b })
        {
            await Sites.EventuallyAsync(() => Sites.TryGetAsync(site, madeAtC), "C's note under the old passphrase did not reach A and B", Patience);
        }
        var neededAtC = await Sites.EventuallyAsync(async () => (await Sites.PairingAsync(c)).Passphrase.Needed.SingleOrDefault(), "C does not say it needs the new passphrase", Patience);
        Assert.Equal(newEpoch, neededAtC.Epoch);
        Assert.Equal(oldEpoch, (await Sites.PairingAsync(c)).Passphrase.Epoch);
        Assert.Null(await Sites.TryGetAsync(c, after));

        Assert.Equal(HttpStatusCode.NoContent, (await GiveAsync(c, next)).StatusCode);
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(c, after), "A's note under the new passphrase did not reach C once it had it", Patience);
        Assert.Equal(newEpoch, (await Sites.PairingAsync(c)).Passphrase.Epoch);
        var lastAtC = await Sites.CreateAsync(c, "made at C under the new passphrase", "");
        foreach (var site in new[] { a, b })
        {
            await Sites.EventuallyAsync(() => Sites.TryGetAsync(site, lastAtC), "C's note under the new passphrase did not reach A and B", Patience);
        }
        await Sites.WaitUntilConvergedAsync((_stack, "a"), (_stack, "c"), Patience);
        await Sites.WaitUntilConvergedAsync((_stack, "b"), (_stack, "c"), Patience);

        // A's attachment is sealed again under the new epoch, and its file under the old name is gone.
        var (underOld, underNew) = (AttachmentPath(siteA, _stack.SyncPassphrase, photo.Hash), AttachmentPath(siteA, next, photo.Hash));
        await Sites.EventuallyAsync(() => Task.FromResult(File.Exists(underNew) && !File.Exists(underOld) ? (bool?)true : null),
            "A's attachment was not sealed again under the new passphrase", Patience);

        // Each site's snapshot under the new epoch retired its files under the old one.
        foreach (var (name, id) in new[] { ("a", siteA), ("b", siteB), ("c", siteC) })
        {
            await Sites.EventuallyAsync(() => Task.FromResult(EpochsOfFiles(_stack.Site(name).SyncFolder, id).SequenceEqual([newEpoch]) ? (bool?)true : null),
                $"site {name}'s folder still holds files under the old passphrase", Patience);
        }
        // Nothing any site wrote under either passphrase was refused anywhere: each refusal is named with its reason.
        Assert.Empty((SyncRejection[])[.. (await Sites.StatusAsync(a)).Rejections, .. (await Sites.StatusAsync(b)).Rejections, .. (await Sites.StatusAsync(c)).Rejections]);
    }

    private string AttachmentPath(string site, string passphrase, string hash) =>
        Path.Combine(_stack.Site("a").SyncFolder, AttachmentFileName.For(new SyncKeyring(passphrase), site, hash).RelativePath);

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient site, string current, string next) =>
        site.PostAsJsonAsync("/api/sync/passphrase", new PassphraseRequest(next, next, current));

    private static Task<HttpResponseMessage> GiveAsync(HttpClient site, string passphrase) =>
        site.PostAsJsonAsync("/api/sync/passphrase", new PassphraseRequest(passphrase));

    /// <summary>The epoch tags a site's change files in its folder are sealed under, as their clear headers name them.</summary>
    private static string?[] EpochsOfFiles(string syncFolder, string site) =>
        [.. Directory.GetFiles(Path.Combine(syncFolder, ChangeFileName.SitesFolder, site))
            .Where(path => ChangeFileName.TryParse(Path.GetRelativePath(syncFolder, path), out _))
            .Select(path => ChangeFile.EpochOf(File.ReadAllBytes(path)))
            .Distinct()];
}
