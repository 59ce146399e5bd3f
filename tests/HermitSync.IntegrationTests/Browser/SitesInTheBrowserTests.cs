using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>A conflict made by two paired sites, resolved in the browser at one of them.</summary>
[Collection(PairedSitesCollection.Name)]
public sealed class ConflictInTheBrowserTests(PairedSitesFixture fixture, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task The_conflict_view_shows_both_versions_side_by_side_and_keeping_one_settles_it_at_both_sites()
    {
        var note = await Sites.EditApartAsync(_stack, "Trip plan", "Train at 9:10\nBring the map\nLunch in Arles", "Train at 9:40\nBring the map\nLunch in Nîmes");
        var id = note.Id;
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var winner = await Sites.GetAsync(a, note);
        var loser = Assert.Single(await Sites.ConflictsAsync(a, note));
        Assert.NotEqual(winner.Body, loser.Body);

        await browser.RunAsync("conflict", _stack.NotesLink("a"), async page =>
        {
            await page.GotoAsync("/");
            await Expect(page.Locator("#results li", new() { HasText = "Trip plan" }).Locator(".badge")).ToHaveTextAsync("1 conflict");
            await page.GotoAsync($"/Notes/{id}");
            await page.GetByRole(AriaRole.Link, new() { Name = "Compare and resolve" }).ClickAsync();

            var compare = page.Locator(".compare");
            await Expect(compare.Locator(".side")).ToHaveCountAsync(2);
            await Expect(compare.Locator(".diff .line.modified")).ToHaveCountAsync(4);
            await Expect(compare).ToContainTextAsync("Train at 9:10");
            await Expect(compare).ToContainTextAsync("Train at 9:40");
            await BrowserSession.ScreenshotAsync(page, "conflict-view");

            // Keep the version that lost the merge, whichever site made it.
            await compare.GetByRole(AriaRole.Button, new() { Name = "Keep this version" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Conflict resolved");
            await Expect(page.Locator(".conflict-banner")).ToHaveCountAsync(0);
        });

        // Both sites end with the text that had lost, and nothing left to resolve.
        await Sites.WaitUntilConvergedAsync(_stack);
        foreach (var site in new[] { a, b })
        {
            var kept = await Sites.GetAsync(site, note);
            Assert.Equal((loser.Title, loser.Body, 0), (kept.Title, kept.Body, kept.Conflicts));
            Assert.Empty(await Sites.ConflictsAsync(site, note));
        }
    }
}

/// <summary>Two sites on their first start, given a passphrase and paired by a person on their Sync pages.</summary>
public sealed class PairingInTheBrowserTests(FirstStartSitesFixture fixture, BrowserSession browser)
    : IClassFixture<FirstStartSitesFixture>, IClassFixture<BrowserSession>
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task A_passphrase_created_on_one_sync_page_and_joined_on_the_other_lets_the_paired_sites_exchange_notes_and_survives_a_change()
    {
        using var apiA = _stack.WebBrowserClient("a");
        using var apiB = _stack.WebBrowserClient("b");
        var deviceB = await Sites.DeviceIdAsync(apiB);
        var addressB = _stack.App.GetEndpoint(_stack.Name("b", SiteResource.Syncthing), "sync").ToString().TrimEnd('/');
        await using var siteB = await browser.NewContextAsync(_stack.NotesLink("b"));
        var pageB = await siteB.NewPageAsync();
        var (passphrase, epoch) = ("", "");

        await browser.RunAsync("pairing", _stack.NotesLink("a"), async pageA =>
        {
            // A: create a passphrase. It is shown once, and taken only once it is typed back right.
            await pageA.GotoAsync("/Sync");
            await Expect(pageA.Locator("#no-passphrase")).ToBeVisibleAsync();
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Create a passphrase" }).ClickAsync();
            passphrase = await pageA.Locator("#generated-passphrase").InnerTextAsync();
            Assert.Matches(@"\A[A-Z2-9]{4}(-[A-Z2-9]{4}){5}\z", passphrase);
            await BrowserSession.ScreenshotAsync(pageA, "passphrase-created");
            await pageA.GetByLabel("Type the passphrase again").FillAsync(passphrase[..^1]);
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
            await Expect(pageA.Locator(".errors").First).ToContainTextAsync("does not match");
            Assert.Equal(passphrase, await pageA.Locator("#generated-passphrase").InnerTextAsync());
            await pageA.GetByLabel("Type the passphrase again").FillAsync(passphrase);
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
            await Expect(pageA.GetByRole(AriaRole.Status)).ToContainTextAsync("The passphrase is set");
            await Expect(pageA.Locator("#generated-passphrase")).ToHaveCountAsync(0);
            epoch = await pageA.Locator("#passphrase-epoch").InnerTextAsync();

            // B: a weak passphrase is refused with its estimate; A's is taken, under the same epoch.
            await pageB.GotoAsync("/Sync");
            await pageB.GetByLabel("Or join with the passphrase of your other machine").FillAsync("hermit2026");
            await pageB.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
            await Expect(pageB.Locator(".errors").First).ToContainTextAsync("too weak");
            await pageB.GetByLabel("Or join with the passphrase of your other machine").FillAsync(passphrase);
            await pageB.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
            await Expect(pageB.Locator("#passphrase-epoch")).ToHaveTextAsync(epoch);

            var deviceA = await pageA.GetByLabel("Syncthing device ID").InputValueAsync();

            await pageA.GetByLabel("Its device ID").FillAsync("not-a-device-id");
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Pair" }).ClickAsync();
            await Expect(pageA.Locator(".errors, .error").First).ToContainTextAsync("not a device ID");

            await pageA.GetByLabel("Its device ID").FillAsync(deviceB);
            await pageA.GetByLabel("A name for it").FillAsync("site b");
            await pageA.GetByLabel("Its address").FillAsync(addressB);
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Pair" }).ClickAsync();
            await Expect(pageA.Locator("#peers-live")).ToContainTextAsync("site b");

            // B's page refreshes itself: A appears there asking to connect, without a reload.
            await pageB.GotoAsync("/Sync");
            var asking = pageB.Locator("#peers-live li", new() { HasText = deviceA });
            await Expect(asking).ToBeVisibleAsync(new() { Timeout = 45_000 });
            await BrowserSession.ScreenshotAsync(pageB, "sync-page-pending");
            await asking.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();
            await Expect(pageB.Locator("#peers-live tr.up")).ToHaveCountAsync(1, new() { Timeout = 45_000 });

            await Expect(pageA.Locator("#peers-live tr.up")).ToHaveCountAsync(1, new() { Timeout = 45_000 });

            // Each page comes to show the other site's key as the other shows its own: what a person compares.
            var (siteA, siteB) = (await Sites.SiteIdAsync(apiA), await Sites.SiteIdAsync(apiB));
            var fingerprintA = await pageA.Locator("#my-fingerprint").InnerTextAsync();
            var fingerprintB = await pageB.Locator("#my-fingerprint").InnerTextAsync();
            Assert.NotEqual(fingerprintA, fingerprintB);
            await Expect(pageA.Locator($"[data-fingerprint='{siteB}']")).ToHaveTextAsync(fingerprintB, new() { Timeout = 45_000 });
            await Expect(pageB.Locator($"[data-fingerprint='{siteA}']")).ToHaveTextAsync(fingerprintA, new() { Timeout = 45_000 });
            await BrowserSession.ScreenshotAsync(pageA, "sync-page");
            // The generated passphrase shows on no page once it is set.
            Assert.DoesNotContain(passphrase, await pageA.ContentAsync());
        });

        var note = await Sites.CreateAsync(apiA, "first across", "hello, B");
        var atB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(apiB, note), "the note did not cross after pairing");
        Assert.Equal("hello, B", atB.Body);

        // A changes the passphrase on its page; B's page then says it needs the new one, and takes it there.
        await browser.RunAsync("passphrase-change", _stack.NotesLink("a"), async pageA =>
        {
            await pageA.GotoAsync("/Sync");
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Change the passphrase…" }).ClickAsync();
            var next = await pageA.Locator("#generated-passphrase").InnerTextAsync();
            Assert.NotEqual(passphrase, next);
            await pageA.GetByLabel("The current passphrase").FillAsync(passphrase);
            await pageA.GetByLabel("Type the new passphrase again").FillAsync(next);
            await pageA.GetByRole(AriaRole.Button, new() { Name = "Change the passphrase", Exact = true }).ClickAsync();
            await Expect(pageA.GetByRole(AriaRole.Status)).ToContainTextAsync("The passphrase is changed");
            var newEpoch = await pageA.Locator("#passphrase-epoch").InnerTextAsync();
            Assert.NotEqual(epoch, newEpoch);

            await Sites.EventuallyAsync(async () => (await Sites.PairingAsync(apiB)).Passphrase.Needed.SingleOrDefault(), "B does not say it needs the new passphrase", TimeSpan.FromSeconds(45));
            await pageB.GotoAsync("/Sync");
            await Expect(pageB.Locator("#needs-passphrase")).ToContainTextAsync("Needs the new passphrase");
            await BrowserSession.ScreenshotAsync(pageB, "sync-page-needs-passphrase");
            await pageB.GetByLabel("The new passphrase").FillAsync(next);
            await pageB.GetByRole(AriaRole.Button, new() { Name = "Use it" }).ClickAsync();
            await Expect(pageB.Locator("#passphrase-epoch")).ToHaveTextAsync(newEpoch);
            await Expect(pageB.Locator("#needs-passphrase")).ToHaveCountAsync(0);
        });

        var afterChange = await Sites.CreateAsync(apiA, "across under the new passphrase", "hello again, B");
        Assert.Equal("hello again, B", (await Sites.EventuallyAsync(() => Sites.TryGetAsync(apiB, afterChange), "the note did not cross after the change")).Body);
    }
}
