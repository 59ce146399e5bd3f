using System.Diagnostics;
using System.Net.Http.Json;
using HermitSync.AppHost.Site;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// The API against rqlite doing the same work on the same site: create a note, search, read
/// one. The anchor sends the statements the API runs (the storage module's, with the same
/// parameters) in one POST straight to the leader; the API's share is HTTP, validation, JSON,
/// telemetry and its rqlite client.
/// </summary>
public static class ApiLatency
{
    private const string Site = "a";

    /// <summary>A create, a read and a search cost the settled API about 4 ms of CPU; at first ten times that.</summary>
    private const double SettledCpuMsPerMix = 10;

    /// <summary>A search a person types: digits that match a few percent of the titles.</summary>
    private const string SearchText = "42";

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine("API against direct rqlite: create, search, read");
        using var api = stack.OwnHttp(Site, SiteResource.Api);
        using var web = stack.OwnHttp(Site, SiteResource.Web);
        using var apiThroughProxy = stack.Http(Site, SiteResource.Api);
        using var leader = await stack.RqliteLeaderAsync(Site);
        // The API's client goes to the leader; node 1, a follower perhaps, shows what forwarding would cost.
        using var firstNode = stack.RqliteNode(Site, 1);
        var siteId = await stack.SiteIdAsync(Site);
        var clock = new HybridLogicalClock(TimeProvider.System);
        var meter = new ApiMeter(Processes.Tree(stack.ProcessIds(Site)[stack.Name(Site, SiteResource.Api)]));

        Task CreateDirect(RqliteDirect rqlite, int number) => rqlite.ExecuteAsync(
            NoteSql.Create(Guid.CreateVersion7(), SampleNote.Title(number), SampleNote.Body, clock.Next(), siteId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Statements);

        var warmUp = await WarmUpAsync(api, meter);
        meter.Start();
        var single = await Load.CompareAsync(clients: 1, perClient: 100,
            meter.Count(number => CreateAsync(api, number)),
            number => CreateDirect(leader, number),
            meter.Count(number => CreateAsync(web, number)),
            meter.Count(number => CreateAsync(apiThroughProxy, number)),
            number => CreateDirect(firstNode, number));
        var cpuPerCreate = meter.CpuMsPerCall;
        AddLatency(report, "API create, 1 client", single[0], single[1]);
        report.Add(new Figure("create through the web app's /api forwarder, 1 client, p50", "ms", single[2].Latency(50),
            new Anchor("direct rqlite", single[1].Latency(50)), "report", null));

        meter.Start();
        var sixteen = await Load.CompareAsync(clients: 16, perClient: 15, meter.Count(number => CreateAsync(api, number)), number => CreateDirect(leader, number));
        var cpuPerConcurrentCreate = meter.CpuMsPerCall;
        AddLatency(report, "API create, 16 clients", sixteen[0], sixteen[1]);
        var throughput = sixteen[0].Throughput / sixteen[1].Throughput;
        report.Add(new Figure("API create throughput, 16 clients", "notes/s", sixteen[0].Throughput,
            new Anchor("direct rqlite", sixteen[1].Throughput), "ratio ≥ 0.9", throughput >= 0.9));

        var searchQuery = SearchQuery.TryParse(SearchText, out var parsed, out var unreadable) ? parsed : throw new InvalidOperationException(unreadable);
        var search = await Load.CompareAsync(clients: 1, perClient: 100,
            _ => GetAsync(api, $"/api/notes?q={SearchText}&limit=50"),
            _ => leader.QueryAsync(NoteSql.Search(searchQuery, after: null, limit: 50).Statement));
        AddLatency(report, $"API search (q={SearchText}, 50 per page)", search[0], search[1]);

        var ids = await stack.Rqlite(Site).QueryAsync(NoteSql.SampleIds(500));
        meter.Start();
        var read = await Load.CompareAsync(clients: 1, perClient: 200,
            meter.Count(number => GetAsync(api, $"/api/notes/{ids[number % ids.Count]}")),
            number => leader.QueryAsync(NoteSql.Get(ids[number % ids.Count]).Statement),
            number => firstNode.QueryAsync(NoteSql.Get(ids[number % ids.Count]).Statement));
        var cpuPerRead = meter.CpuMsPerCall;
        var alive = await Load.CompareAsync(clients: 1, perClient: 200, _ => GetAsync(api, "/alive"));
        // Two HTTP hops against one: issue 21 allows a read more than a create, and reports the hop's floor (/alive).
        AddLatency(report, "API read one note", read[0], read[1], targetRatio: 1.5);

        report.Note($"API: {warmUp.TotalSeconds:0} s of API requests first, until its CPU per request had settled; then for each figure a warm-up round and {Load.Rounds} measured rounds, the ways taking turns, each to the port its process listens on. " +
            "A create is one rqlite transaction either way: the revision and the notes row.");
        report.Note($"API: the leader was {leader.Node}, where the API's client goes. Sent to {firstNode.Node}, a create took {single[4].Latency(50):0.00} ms " +
            $"and a read {read[2].Latency(50):0.00} ms at p50; through Aspire's endpoint proxy (DCP), which the web app and scripts use in development, an API create took {single[3].Latency(50):0.00} ms.");
        report.Note($"API: an empty request to the API (/alive), the floor of any extra HTTP hop here, took {alive[0].Latency(50):0.00} ms at p50. " +
            $"The API's process used {cpuPerCreate:0.00} ms of CPU per create with one client, {cpuPerConcurrentCreate:0.00} ms with 16, and {cpuPerRead:0.00} ms per read, its background work (telemetry export, health probes) included.");
    }

    /// <summary>
    /// A freshly started API spends some 30 s of CPU, over its first half minute of traffic,
    /// compiling its hot paths again, optimized; on two cores that would land in the first
    /// figures. A mix of its requests in 5 s windows runs until its CPU per mix has settled.
    /// </summary>
    private static async Task<TimeSpan> WarmUpAsync(HttpClient api, ApiMeter meter)
    {
        var started = Stopwatch.GetTimestamp();
        var mix = meter.Count(async number =>
        {
            using var created = await api.PostAsJsonAsync("/api/notes", new { title = SampleNote.Title(number), body = SampleNote.Body });
            await GetAsync(api, created.EnsureSuccessStatusCode().Headers.Location!.OriginalString);
            await GetAsync(api, $"/api/notes?q={SearchText}&limit=50");
        });
        // Settled: under the ceiling and no longer falling by a tenth from one window to the next,
        // as the JIT's background compiler goes on optimizing for some 20 s after the first requests.
        var previous = double.MaxValue;
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(1))
        {
            meter.Start();
            var window = Stopwatch.StartNew();
            for (var number = 0; window.Elapsed < TimeSpan.FromSeconds(5); number++)
            {
                await mix(number);
            }
            var cpu = meter.CpuMsPerCall;
            if (cpu <= SettledCpuMsPerMix && cpu > previous * 0.9)
            {
                break;
            }
            previous = cpu;
        }
        return Stopwatch.GetElapsedTime(started);
    }

    private static async Task CreateAsync(HttpClient http, int number)
    {
        using var created = await http.PostAsJsonAsync("/api/notes", new { title = SampleNote.Title(number), body = SampleNote.Body });
        created.EnsureSuccessStatusCode();
    }

    private static async Task GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>p50 held to the target ratio; p99 reported beside it.</summary>
    private static void AddLatency(Report report, string name, Load.Sample measured, Load.Sample anchor, double targetRatio = 1.3)
    {
        var ratio = measured.Latency(50) / anchor.Latency(50);
        report.Add(new Figure($"{name}, p50", "ms", measured.Latency(50), new Anchor("direct rqlite", anchor.Latency(50)), FormattableString.Invariant($"ratio ≤ {targetRatio}"), ratio <= targetRatio));
        report.Add(new Figure($"{name}, p99", "ms", measured.Latency(99), new Anchor("direct rqlite", anchor.Latency(99)), "report", null));
    }

    /// <summary>
    /// Counts the calls that reach the API and the CPU its processes use meanwhile: a cost that,
    /// unlike latency, a busy neighbour on the machine hardly changes.
    /// </summary>
    private sealed class ApiMeter(IReadOnlyList<int> processes)
    {
        private int _calls;
        private double _cpuAtStart;

        public void Start()
        {
            _calls = 0;
            _cpuAtStart = Cpu();
        }

        public Func<int, Task> Count(Func<int, Task> way) => number =>
        {
            Interlocked.Increment(ref _calls);
            return way(number);
        };

        public double CpuMsPerCall => (Cpu() - _cpuAtStart) * 1000 / _calls;

        private double Cpu() => processes.Sum(Processes.CpuSeconds);
    }
}
