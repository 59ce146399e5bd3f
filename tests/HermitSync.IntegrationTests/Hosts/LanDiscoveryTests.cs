using System.Runtime.Versioning;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Testing.Hosts;

namespace HermitSync.IntegrationTests.Hosts;

/// <summary>Two sites on two hosts of one LAN, started with <c>HermitSync:Discovery=lan</c> and paired by device ID alone.</summary>
[SupportedOSPlatform("linux")]
public sealed class LanHostsFixture() : HostsFixture(["a", "b"], "--HermitSync:Discovery=lan")
{
    protected override Task PairAsync() => HostSites.PairAsync(Site("a"), Site("b"), withAddress: false);
}

[Collection(SeparateHostsCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class LanDiscoveryTests(LanHostsFixture hosts) : IClassFixture<LanHostsFixture>
{
    /// <summary>Syncthing announces itself on the LAN every 30 s, and dials a found peer within its reconnect interval.</summary>
    private static readonly TimeSpan DiscoveryPatience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task Sites_on_one_LAN_find_each_other_with_no_address_typed_in()
    {
        var a = hosts.Site("a");
        var b = hosts.Site("b");
        Assert.All((await HostSites.PairingAsync(a)).Peers, peer => Assert.Equal(["dynamic"], peer.Addresses));

        var found = await HostSites.WaitUntilConnectedAsync(a, b, DiscoveryPatience);
        // Local discovery announces every address of the link; Syncthing may pick the IPv6 link-local one.
        var foundAt = System.Net.IPEndPoint.Parse(found.Address!.Replace("%" + NetworkHost.Link, "", StringComparison.Ordinal)).Address;
        Assert.Contains(foundAt, b.Host.LinkAddresses());

        using var httpA = a.Client();
        using var httpB = b.Client();
        var note = await Sites.CreateAsync(httpA, "found on the LAN", "no address was typed in");
        var atB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(httpB, note), "the note did not cross to the site found on the LAN", HostsFixture.SyncPatience);
        Assert.Equal(note.Revision, atB.Revision);
    }
}
