using System.Net;
using System.Net.Http.Json;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Syncthing;
using HermitSync.IntegrationTests.Stack;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>Two sites paired through real Syncthing, for a test that unpairs them: a stack of its own.</summary>
public sealed class RevocationFixture() : StackHolder(new StackFixture(2, null));

/// <summary>
/// Unpairing revokes: after B unpairs A's machine, what A wrote before stays at B, and what A
/// signs after is refused as revoked, though it arrives signed by A's own key, as a relay would carry it.
/// </summary>
public sealed class RevocationTests(RevocationFixture fixture) : IClassFixture<RevocationFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task After_B_unpairs_A_what_A_signs_is_refused_as_revoked_and_what_came_before_stays()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var siteA = await Sites.SiteIdAsync(a);
        var before = await Sites.CreateAsync(a, "before the unpairing", "stays at B");
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, before), "A's note did not reach B", Patience);
        await Sites.EventuallyAsync(async () => (await Sites.PairingAsync(b)).TrustedSites.FirstOrDefault(s => s.SiteId == siteA && s.VouchedBy is null),
            "B does not trust A's key from A's own machine", Patience);

        using (var removed = await b.DeleteAsync($"/api/sync/peers/{await Sites.DeviceIdAsync(a)}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
        var revokedAfter = (await Sites.PairingAsync(b)).TrustedSites.Single(s => s.SiteId == siteA).RevokedAfter;
        Assert.NotNull(revokedAfter);

        // B's Syncthing no longer takes A's files, so A's next ones are carried over as a relay would.
        var after = await Sites.CreateAsync(a, "after the unpairing", "refused at B");
        await Sites.WaitForExportAsync(_stack, "a");
        var fromA = Path.Combine(_stack.Site("a").SyncFolder, "sites", siteA);
        var atB = Path.Combine(_stack.Site("b").SyncFolder, "sites", siteA);
        var newer = Directory.GetFiles(fromA, "c-*.hsync")
            .Where(file => ChangeFileName.TryParse($"sites/{siteA}/{Path.GetFileName(file)}", out var name) && name!.Sequence > revokedAfter).ToArray();
        Assert.NotEmpty(newer);
        foreach (var file in newer)
        {
            var temporary = Path.Combine(atB, $".syncthing.{Path.GetFileName(file)}.tmp");
            await File.WriteAllBytesAsync(temporary, await File.ReadAllBytesAsync(file));
            File.Move(temporary, Path.Combine(atB, Path.GetFileName(file)), overwrite: true);
        }

        var refused = await Sites.EventuallyAsync(async () => (await Sites.StatusAsync(b)).Rejections
            .FirstOrDefault(r => r.File.EndsWith(Path.GetFileName(newer[0]), StringComparison.Ordinal)), "B did not refuse A's newer file", Patience);
        Assert.Equal(nameof(RejectionReason.Revoked), refused.Reason);
        Assert.Null(await Sites.TryGetAsync(b, after));
        Assert.Equal("stays at B", (await Sites.GetAsync(b, before)).Body);
        Assert.Contains($"its files after {revokedAfter} are refused", await b.GetStringAsync("/Sync"));
    }
}
