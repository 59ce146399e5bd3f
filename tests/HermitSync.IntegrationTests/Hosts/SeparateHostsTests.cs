using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Testing.Hosts;

namespace HermitSync.IntegrationTests.Hosts;

/// <summary>
/// Three sites on three hosts, over a network the test controls: a note crosses a chain, a mesh
/// of concurrent edits converges, a host cut off for five minutes catches up, and a slow, lossy
/// link still converges. Each test sets up the pairing it needs, so any order works; only the
/// chain-then-mesh test pairs A and C.
/// </summary>
[Collection(SeparateHostsCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class SeparateHostsTests(ThreeHostsFixture hosts) : IClassFixture<ThreeHostsFixture>
{
    /// <summary>The issue's partition: five minutes of edits on every side.</summary>
    private static readonly TimeSpan PartitionLength = TimeSpan.FromMinutes(5);

    /// <summary>After a partition, Syncthing notices the dead connection and dials again: minutes, not seconds.</summary>
    private static readonly TimeSpan RejoinPatience = TimeSpan.FromMinutes(5);

    private HostSite A => hosts.A;

    private HostSite B => hosts.B;

    private HostSite C => hosts.C;

    private IReadOnlyList<HostSite> All => hosts.Sites;

    /// <summary>
    /// The chain first, while A and C have never been paired: unpairing them would revoke each
    /// other's key (see docs/change-file-format.md), so the mesh that pairs them comes after, in
    /// the same test, and no other test pairs or unpairs them.
    /// </summary>
    [Fact]
    public async Task A_note_crosses_the_chain_through_B_then_concurrent_edits_at_three_paired_hosts_converge_with_the_conflicts_shown_at_each()
    {
        await A_note_written_at_A_reaches_C_through_B_while_A_and_C_are_not_paired();
        await Concurrent_edits_at_three_hosts_converge_with_the_conflicts_shown_at_each();
    }

    private async Task A_note_written_at_A_reaches_C_through_B_while_A_and_C_are_not_paired()
    {
        var deviceA = await A.DeviceIdAsync();
        var deviceC = await C.DeviceIdAsync();
        Assert.DoesNotContain((await HostSites.PairingAsync(A)).Peers, peer => peer.DeviceId == deviceC);
        Assert.DoesNotContain((await HostSites.PairingAsync(C)).Peers, peer => peer.DeviceId == deviceA);

        using var a = A.Client();
        using var c = C.Client();
        var note = await Sites.CreateAsync(a, "along the chain", "written at A, read at C");
        var atC = await Sites.EventuallyAsync(() => Sites.TryGetAsync(c, note), "A's note did not reach C through B", HostsFixture.SyncPatience);
        Assert.Equal("written at A, read at C", atC.Body);
        Assert.Equal(note.Revision, atC.Revision);
        // C trusts A's key because B vouches for it.
        var siteA = await Sites.SiteIdAsync(a);
        var atCTrusted = (await HostSites.PairingAsync(C)).TrustedSites.Single(site => site.SiteId == siteA);
        Assert.NotNull(atCTrusted.VouchedBy);
    }

    private async Task Concurrent_edits_at_three_hosts_converge_with_the_conflicts_shown_at_each()
    {
        await EnsureMeshAsync();
        using var a = A.Client();
        var notes = new List<Note>();
        for (var i = 0; i < 5; i++)
        {
            notes.Add(await Sites.CreateAsync(a, $"mesh {i}", "before"));
        }
        foreach (var site in All)
        {
            using var http = site.Client();
            foreach (var note in notes)
            {
                await Sites.EventuallyAsync(() => Sites.TryGetAsync(http, note), $"note {note.Title} did not reach {site.Host.Name}", HostsFixture.SyncPatience);
            }
        }

        // Every site edits every note at once, each from the revision all three started with.
        var clients = All.Select(site => site.Client()).ToArray();
        try
        {
            var edits = notes.SelectMany(note => All.Select((site, s) => (note, site, Edit: EditFromAsync(clients[s], note, $"{note.Title} as {site.Host.Name} wrote it")))).ToArray();
            await Task.WhenAll(edits.Select(edit => edit.Edit));

            await HostSites.WaitUntilConvergedAsync(All, HostsFixture.SyncPatience);

            // Each edit made from the shared revision is a head of its own: the winner, or a conflict kept at every site.
            var concurrent = notes.ToDictionary(note => note.Id, note => edits.Count(edit => edit.note.Id == note.Id && edit.Edit.Result));
            Assert.True(concurrent.Values.Any(count => count >= 2), $"no two sites' edits of one note were concurrent: {string.Join(", ", concurrent.Values)}");
            for (var s = 0; s < clients.Length; s++)
            {
                foreach (var note in notes)
                {
                    var shown = await Sites.GetAsync(clients[s], note);
                    Assert.Equal(concurrent[note.Id] - 1, shown.Conflicts);
                    Assert.Equal(concurrent[note.Id] - 1, (await Sites.ConflictsAsync(clients[s], note)).Count);
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_host_cut_off_for_five_minutes_catches_up_and_nothing_is_lost()
    {
        using var a = A.Client();
        var shared = await Sites.CreateAsync(a, "edited everywhere", "before the cut");
        foreach (var site in All)
        {
            using var http = site.Client();
            await Sites.EventuallyAsync(() => Sites.TryGetAsync(http, shared), $"the shared note did not reach {site.Host.Name}", HostsFixture.SyncPatience);
        }

        var written = new List<Note>();
        HostNetwork.Disconnect(C.Host);
        try
        {
            var end = DateTime.UtcNow + PartitionLength;
            for (var round = 0; DateTime.UtcNow < end; round++)
            {
                foreach (var site in All)
                {
                    using var http = site.Client();
                    written.Add(await Sites.CreateAsync(http, $"round {round} at {site.Host.Name}", $"written at {site.Host.Name} in round {round}"));
                    written.Add(await EditLatestAsync(http, shared, $"round {round}, as {site.Host.Name} had it"));
                }
                await Task.Delay(TimeSpan.FromSeconds(10));
            }
        }
        finally
        {
            HostNetwork.Reconnect(C.Host);
        }

        await HostSites.WaitUntilConvergedAsync(All, RejoinPatience);
        var revisions = (await Sites.RevisionsAsync(HostSites.Rqlite(C))).Select(key => new RevisionId(key.Hlc, key.SiteId).ToString()).ToHashSet();
        var lost = written.Where(note => !revisions.Contains(note.Revision)).ToArray();
        Assert.True(lost.Length == 0, $"{lost.Length} of {written.Count} revisions made apart are missing: {string.Join("; ", lost.Take(5).Select(n => $"{n.Title} {n.Revision}"))}");
        Assert.True(written.Count >= 3 * 2 * 5, $"only {written.Count} revisions were written in {PartitionLength.TotalMinutes} minutes");
        using var c = C.Client();
        Assert.True((await Sites.GetAsync(c, shared)).Conflicts >= 1, "the shared note's edits made apart show no conflict at C");
    }

    [Fact]
    public async Task Sync_converges_over_a_slow_lossy_link()
    {
        var impaired = new List<Impairment>();
        try
        {
            foreach (var site in All)
            {
                impaired.Add(await HostNetwork.ImpairAsync(site.Host, NetemProfile.Bad, [.. All.Where(other => other != site).Select(other => other.Host)]));
            }
            // A connection's handshake crosses the link twice, each way held about 100 ms.
            var handshake = await ConnectTimeAsync(A.Host, B.Host.Address, B.Settings.SyncthingListenPort);
            Assert.True(handshake >= TimeSpan.FromMilliseconds(150), $"a TCP handshake from A to B took {handshake.TotalMilliseconds:0} ms: the link is not impaired");

            using var a = A.Client();
            using var b = B.Client();
            var fromA = await Sites.CreateAsync(a, "over a bad link", "from A");
            var fromB = await Sites.CreateAsync(b, "over a bad link too", "from B");
            var atB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, fromA), "A's note did not reach B over the bad link", HostsFixture.SyncPatience);
            await Sites.EditAsync(b, atB, atB.Title, "from A, edited at B");
            await Sites.EventuallyAsync(async () => (await Sites.TryGetAsync(a, fromA))?.Body == "from A, edited at B" ? true : (bool?)null, "B's edit did not reach A over the bad link", HostsFixture.SyncPatience);
            await Sites.EventuallyAsync(() => Sites.TryGetAsync(a, fromB), "B's note did not reach A over the bad link", HostsFixture.SyncPatience);
            await HostSites.WaitUntilConvergedAsync(All, HostsFixture.SyncPatience);
        }
        finally
        {
            foreach (var impairment in impaired)
            {
                impairment.Dispose();
            }
        }
    }

    private static async Task<TimeSpan> ConnectTimeAsync(NetworkHost from, IPAddress to, int port)
    {
        using var socket = await from.Namespace.InsideAsync(() => new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(to, port, timeout.Token);
        return System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Pairs A and C too, so every host talks to every other.</summary>
    private async Task EnsureMeshAsync()
    {
        var deviceC = await C.DeviceIdAsync();
        if (!(await HostSites.PairingAsync(A)).Peers.Any(peer => peer.DeviceId == deviceC))
        {
            await HostSites.PairAsync(A, C);
        }
        foreach (var (site, peer) in new[] { (A, B), (A, C), (B, C) })
        {
            await HostSites.WaitUntilConnectedAsync(site, peer, HostsFixture.SyncPatience);
        }
    }

    /// <summary>Edits the site's latest revision of a note, again if a peer's edit lands between reading and writing it.</summary>
    private static async Task<Note> EditLatestAsync(HttpClient site, Note note, string body)
    {
        for (var attempt = 1; ; attempt++)
        {
            var latest = await Sites.GetAsync(site, note);
            using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{note.Id}") { Content = JsonContent.Create(new { title = note.Title, body }) };
            edit.Headers.IfMatch.ParseAdd(latest.ETag);
            using var response = await site.SendAsync(edit);
            if (response.StatusCode != HttpStatusCode.PreconditionFailed || attempt == 5)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return (await response.Content.ReadFromJsonAsync<Note>())!;
            }
        }
    }

    /// <summary>Edits a note from the revision given; false when the site had already moved past it.</summary>
    private static async Task<bool> EditFromAsync(HttpClient site, Note from, string body)
    {
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{from.Id}") { Content = JsonContent.Create(new { title = from.Title, body }) };
        edit.Headers.IfMatch.ParseAdd(from.ETag);
        using var response = await site.SendAsync(edit);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.PreconditionFailed, $"edit: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response.StatusCode == HttpStatusCode.OK;
    }
}
