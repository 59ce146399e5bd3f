using System.Runtime.Versioning;
using HermitSync.IntegrationTests.Browser;
using HermitSync.Testing.Hosts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Hosts;

/// <summary>
/// Sites A, B and C on three hosts. A and B are paired the way a person pairs two machines: each
/// one's device ID, read off its Sync page, and its address typed into the other's Sync page, in
/// Chromium running on that host. B and C are paired through the API. A and C are not.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ThreeHostsFixture() : HostsFixture(["a", "b", "c"])
{
    public HostSite A => Site("a");

    public HostSite B => Site("b");

    public HostSite C => Site("c");

    protected override async Task PairAsync()
    {
        var browserA = BrowserSession.Inside(A.Host.Namespace);
        var browserB = BrowserSession.Inside(B.Host.Namespace);
        try
        {
            await browserA.InitializeAsync();
            await browserB.InitializeAsync();
            await using var contextB = await browserB.NewContextAsync(B.NotesLink);
            var pageB = await contextB.NewPageAsync();
            await pageB.GotoAsync("/Sync");
            var deviceB = await pageB.GetByLabel("Syncthing device ID").InputValueAsync();

            await browserA.RunAsync("hosts-pairing", A.NotesLink, async pageA =>
            {
                await pageA.GotoAsync("/Sync");
                var deviceA = await pageA.GetByLabel("Syncthing device ID").InputValueAsync();
                await PairOnTheSyncPageAsync(pageA, deviceB, "machine b", B.SyncAddress);
                await PairOnTheSyncPageAsync(pageB, deviceA, "machine a", A.SyncAddress);

                await Expect(pageA.Locator("#peers-live tr.up")).ToContainTextAsync($"connected ({B.Host.Address}:", new() { Timeout = 90_000 });
                await Expect(pageB.Locator("#peers-live tr.up")).ToContainTextAsync("machine a", new() { Timeout = 90_000 });
                await BrowserSession.ScreenshotAsync(pageB, "hosts-pairing-b");
            });
        }
        finally
        {
            await browserA.DisposeAsync();
            await browserB.DisposeAsync();
        }
        await HostSites.PairAsync(B, C);
        await HostSites.WaitUntilConnectedAsync(B, C, SyncPatience);
    }

    private static async Task PairOnTheSyncPageAsync(IPage page, string deviceId, string name, string address)
    {
        await page.GetByLabel("Its device ID").FillAsync(deviceId);
        await page.GetByLabel("A name for it").FillAsync(name);
        await page.GetByLabel("Its address").FillAsync(address);
        await page.GetByRole(AriaRole.Button, new() { Name = "Pair" }).ClickAsync();
        await Expect(page.Locator("#peers-live")).ToContainTextAsync(name);
    }
}
