using System.Runtime.Versioning;
using HermitSync.IntegrationTests.Browser;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Testing.Hosts;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Hosts;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeparateHostsCollection
{
    public const string Name = "separate hosts";
}

/// <summary>
/// Sites on hosts of their own, each a network namespace on one test LAN (<see cref="HostNetwork"/>),
/// each started by <c>./hermit run</c> with default settings and a private data directory, and all
/// given one passphrase by the README's command. Removed whole, namespaces and processes, even when
/// a test fails.
/// </summary>
[SupportedOSPlatform("linux")]
public abstract class HostsFixture(string[] names, params string[] options) : IAsyncLifetime
{
    /// <summary>Three sites build nothing but start on two shared cores at once: slow, on a busy machine.</summary>
    public static readonly TimeSpan StartPatience = TimeSpan.FromMinutes(5);

    /// <summary>How long sync may take between hosts on a sound link.</summary>
    public static readonly TimeSpan SyncPatience = TimeSpan.FromSeconds(90);

    private readonly List<HostSite> _sites = [];

    public HostNetwork Network { get; } = new();

    public IReadOnlyList<HostSite> Sites => _sites;

    public HostSite Site(string name) => _sites.Single(site => site.Host.Name == name);

    public async Task InitializeAsync()
    {
        var passphrase = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        foreach (var name in names)
        {
            var log = Path.Combine(Repository.Root, "artifacts", "hosts", $"{GetType().Name}-{name}.log");
            _sites.Add(await HostSite.LaunchAsync(Network.AddHost(name), Repository.Root, passphrase, log, StartPatience, options));
        }
        await Task.WhenAll(_sites.Select(site => site.WaitUntilReadyAsync(StartPatience)));
        await PairAsync();
    }

    /// <summary>Pairs the sites as the scenario starts.</summary>
    protected abstract Task PairAsync();

    public async Task DisposeAsync()
    {
        var failures = new List<Exception>();
        foreach (var site in _sites)
        {
            try
            {
                await site.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        try
        {
            Network.Dispose();
        }
        catch (Exception e)
        {
            failures.Add(e);
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("The hosts were not removed whole.", failures);
        }
    }
}

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
