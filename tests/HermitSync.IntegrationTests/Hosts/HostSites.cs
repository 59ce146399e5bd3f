using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using HermitSync.Exporter.Syncthing;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using HermitSync.Testing.Hosts;

namespace HermitSync.IntegrationTests.Hosts;

/// <summary>What the multi-host tests do to sites on hosts of their own: pair them through the API, and read their tables.</summary>
[SupportedOSPlatform("linux")]
internal static class HostSites
{
    /// <summary>Pairs two sites both ways through /api/sync/peers; the address is left out when <paramref name="withAddress"/> is false, for discovery to find.</summary>
    public static async Task PairAsync(HostSite one, HostSite other, bool withAddress = true)
    {
        await one.PairWithAsync(other, withAddress);
        await other.PairWithAsync(one, withAddress);
    }

    /// <summary>Unpairs two sites, on both sides; nothing happens where they are not paired.</summary>
    public static async Task UnpairAsync(HostSite one, HostSite other)
    {
        foreach (var (from, to) in new[] { (one, other), (other, one) })
        {
            using var http = from.Client();
            var peer = await to.DeviceIdAsync();
            if ((await PairingAsync(from)).Peers.Any(p => p.DeviceId == peer))
            {
                using var removed = await http.DeleteAsync($"/api/sync/peers/{peer}");
                Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
            }
        }
    }

    public static async Task<PairingStatus> PairingAsync(HostSite site)
    {
        using var http = site.Client();
        return (await http.GetFromJsonAsync<PairingStatus>("/api/sync/pairing"))!;
    }

    /// <summary>The connected peer's entry at <paramref name="site"/>, once <paramref name="peer"/> is connected there.</summary>
    public static async Task<SyncthingPeer> WaitUntilConnectedAsync(HostSite site, HostSite peer, TimeSpan patience)
    {
        var deviceId = await peer.DeviceIdAsync();
        return await Sites.EventuallyAsync(
            async () => (await PairingAsync(site)).Peers.FirstOrDefault(p => p.DeviceId == deviceId && p.Connected),
            $"{site.Host.Name} did not connect to {peer.Host.Name}", patience);
    }

    /// <summary>The site's rqlite cluster, as its own services reach it, from inside its host.</summary>
    public static RqliteClient Rqlite(HostSite site)
    {
        var settings = new RqliteClientSettings
        {
            Username = RqliteUser.Data.Name,
            Password = RqliteUserPassword.Derive(site.Secret("rqlite-password"), site.Settings.ResourceName(SiteResource.Rqlite), RqliteUser.Data.Name),
        };
        settings.Endpoints.AddRange(Enumerable.Range(0, 3).Select(node => new Uri($"http://127.0.0.1:{site.Settings.RqlitePort + (2 * node)}")));
        var http = new HttpClient(site.Host.Namespace.Handler()) { Timeout = Timeout.InfiniteTimeSpan };
        return new RqliteClient(() => http, settings);
    }

    /// <summary>Waits until every site holds the same notes, revisions and property registers as the first.</summary>
    public static async Task WaitUntilConvergedAsync(IReadOnlyList<HostSite> sites, TimeSpan patience)
    {
        var first = Rqlite(sites[0]);
        foreach (var other in sites.Skip(1))
        {
            await Sites.WaitUntilConvergedAsync(first, Rqlite(other), patience);
        }
    }
}
