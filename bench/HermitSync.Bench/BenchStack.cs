using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.AppHost.Site;
using HermitSync.Rqlite;
using HermitSync.Storage;
using HermitSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HermitSync.Bench;

/// <summary>
/// The real stack, started through the real AppHost in executable mode, as `./hermit run`
/// starts it. Disposing it stops every process it started and waits until they are gone.
/// </summary>
public sealed class BenchStack : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly DistributedApplication _app;

    private readonly IReadOnlyDictionary<string, string> _rqliteConnectionStrings;

    private readonly string _internalKey;

    private readonly TelemetrySink _telemetry;

    private BenchStack(StackSettings settings, DistributedApplication app, TelemetrySink telemetry, IReadOnlyDictionary<string, TimeSpan> runningAfter, IReadOnlyDictionary<string, TimeSpan> healthyAfter, IReadOnlyDictionary<string, string> rqliteConnectionStrings, string internalKey)
    {
        Settings = settings;
        _app = app;
        _telemetry = telemetry;
        RunningAfter = runningAfter;
        HealthyAfter = healthyAfter;
        _rqliteConnectionStrings = rqliteConnectionStrings;
        _internalKey = internalKey;
    }

    public StackSettings Settings { get; }

    /// <summary>From creating the AppHost to every resource healthy.</summary>
    public TimeSpan StartupTime => HealthyAfter.Values.Max();

    /// <summary>When each process was started, from creating the AppHost: what the orchestration took before it.</summary>
    public IReadOnlyDictionary<string, TimeSpan> RunningAfter { get; }

    /// <summary>When each resource became healthy, from creating the AppHost: the start's critical path.</summary>
    public IReadOnlyDictionary<string, TimeSpan> HealthyAfter { get; }

    public static async Task<BenchStack> StartAsync(StackSettings settings)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var started = Stopwatch.GetTimestamp();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HermitSync_AppHost>(
            settings.Arguments, (options, _) => options.DisableDashboard = true, timeout.Token);
        builder.Services.AddLogging(logging => logging
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("Aspire", LogLevel.Warning)
            // Resources' own output and start-up health probes would bury the figures.
            .AddFilter("HermitSync.AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));
        // The services' telemetry is sent and taken, as the dashboard of a real run takes it.
        var telemetry = new TelemetrySink();
        telemetry.ReceiveFrom(builder.Configuration);
        var app = await builder.BuildAsync(timeout.Token);
        try
        {
            // Watched from before the start, so each resource's own moment is seen, not when StartAsync returns.
            var running = Task.WhenAll(app.Processes().Select(r => r.Name).Select(async resource =>
            {
                await app.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, timeout.Token);
                return (resource, after: Stopwatch.GetElapsedTime(started));
            }).ToArray());
            var healthy = Task.WhenAll(app.Resources().Select(r => r.Name).Select(async resource =>
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
                return (resource, after: Stopwatch.GetElapsedTime(started));
            }).ToArray());
            await app.StartUntilHealthyAsync(timeout.Token);
            var healthyAfter = (await healthy).ToDictionary(r => r.resource, r => r.after);
            var runningAfter = (await running).ToDictionary(r => r.resource, r => r.after);
            var rqliteConnectionStrings = new Dictionary<string, string>();
            foreach (var site in settings.Sites)
            {
                rqliteConnectionStrings[site.Name] = await app.GetConnectionStringAsync(site.ResourceName(SiteResource.Rqlite), timeout.Token)
                    ?? throw new InvalidOperationException($"Site '{site.Name}' has no rqlite connection string.");
            }
            var stack = new BenchStack(settings, app, telemetry, runningAfter, healthyAfter, rqliteConnectionStrings, await app.InternalKeyAsync(timeout.Token));
            foreach (var site in settings.Sites)
            {
                using var api = stack.Http(site.Name, SiteResource.Api);
                await SitePassphrase.JoinAsync(api, settings.SyncPassphrase, timeout.Token);
            }
            return stack;
        }
        catch
        {
            await app.DisposeAsync();
            telemetry.Dispose();
            throw;
        }
    }

    /// <summary>A site's resource name, as the AppHost names it.</summary>
    public string Name(string site, string resource) => Settings.Site(site).ResourceName(resource);

    /// <summary>A client for a resource's HTTP endpoint as Aspire publishes it: through DCP's proxy, as the web app and scripts reach it.</summary>
    public HttpClient Http(string site, string resource) => Client(site, resource, _app.GetEndpoint(Name(site, resource), "http"));

    /// <summary>A client for the port the resource's own process listens on, past DCP's proxy, which a deployment would not have.</summary>
    public HttpClient OwnHttp(string site, string resource)
    {
        var urls = Snapshot(Name(site, resource)).EnvironmentVariables.Single(e => e.Name == "ASPNETCORE_URLS").Value!;
        return Client(site, resource, new UriBuilder(urls.Split(';')[0]) { Host = "127.0.0.1" }.Uri);
    }

    /// <summary>With what the resource asks its callers for: the site's access key for the web app, the internal credential for the API and the exporter.</summary>
    private HttpClient Client(string site, string resource, Uri address)
    {
        var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        if (resource == SiteResource.Syncthing)
        {
            http.DefaultRequestHeaders.Add("X-API-Key", Settings.SyncthingApiKey);
        }
        else
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", resource == SiteResource.Web ? Settings.Site(site).AccessKey() : _internalKey);
        }
        return http;
    }

    public HttpClient Syncthing(string site) => Http(site, SiteResource.Syncthing);

    /// <summary>Stops one of a site's resources through Aspire, as the dashboard's Stop does, until <see cref="StartAsync"/>.</summary>
    public async Task StopAsync(string site, string resource)
    {
        await CommandAsync(site, resource, KnownResourceCommands.StopCommand);
        await _app.ResourceNotifications.WaitForResourceAsync(Name(site, resource), e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text));
    }

    /// <summary>Starts a resource <see cref="StopAsync"/> stopped, and waits until it is healthy.</summary>
    public async Task StartAsync(string site, string resource)
    {
        await CommandAsync(site, resource, KnownResourceCommands.StartCommand);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(Name(site, resource));
    }

    /// <summary>Runs one of a resource's commands, as its button on the dashboard does; throws with Aspire's message when it fails.</summary>
    public async Task CommandAsync(string site, string resource, string command)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(Name(site, resource), command);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {Name(site, resource)} failed: {result.Message}");
        }
    }

    /// <summary>The library client, with failover, for setting up and checking; not what anchors are measured with.</summary>
    public RqliteClient Rqlite(string site) =>
        RqliteClient.Create(_rqliteConnectionStrings[site], settings => settings.RequestTimeout = TimeSpan.FromMinutes(5));

    /// <summary>The library client as one of the cluster's other users, e.g. <see cref="RqliteUser.Backup"/> for <c>/db/backup</c>, which the API's user may not call.</summary>
    public async Task<RqliteClient> RqliteAsAsync(string site, RqliteUser user) =>
        RqliteClient.Create(
            await _app.RqliteCluster(Settings.Site(site)).ConnectionStringFor(user).GetValueAsync(CancellationToken.None)
                ?? throw new InvalidOperationException($"Site '{site}' has no rqlite connection string for {user.Name}."),
            settings => settings.RequestTimeout = TimeSpan.FromMinutes(5));

    /// <summary>Plain HTTP to the site's rqlite leader, with the same credentials the API uses.</summary>
    public async Task<RqliteDirect> RqliteLeaderAsync(string site)
    {
        var leader = (await Rqlite(site).GetNodesAsync()).Single(node => node.Leader);
        return RqliteDirect(site, new Uri(leader.ApiAddress), leader.Id);
    }

    /// <summary>Plain HTTP to one node, leader or not; a follower forwards to the leader.</summary>
    public RqliteDirect RqliteNode(string site, int node)
    {
        var name = _app.RqliteCluster(Settings.Site(site)).Nodes[node - 1].Name;
        return RqliteDirect(site, _app.GetEndpoint(name, "http"), name);
    }

    /// <summary>The credentials come from the same connection string the API gets.</summary>
    private RqliteDirect RqliteDirect(string site, Uri node, string id)
    {
        var credentials = new RqliteClientSettings();
        credentials.ParseConnectionString(_rqliteConnectionStrings[site]);
        var http = new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")));
        return new RqliteDirect(http, id);
    }

    public async Task<string> SiteIdAsync(string site) =>
        (await SiteIdentity.ReadAsync(Rqlite(site), CancellationToken.None) ?? throw new InvalidOperationException($"Site '{site}' has no id yet.")).SiteId;

    /// <summary>The folder Syncthing shares, which holds <c>sites/{site id}/</c> with the change files.</summary>
    public string SyncFolder(string site) => Settings.Site(site).SyncFolder;

    /// <summary>The site as a <see cref="BareFolder"/> shares with it.</summary>
    public BareSite Bare(string site) => new(site, () => Syncthing(site), SyncFolder(site));

    /// <summary>The process id of each of a site's resources that runs a process.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds(string site) =>
        _app.Processes()
            .Where(resource => Settings.Site(site).Owns(resource.Name))
            .Select(resource => (name: resource.Name, pid: ProcessId(resource.Name)))
            .Where(r => r.pid is not null)
            .ToDictionary(r => r.name, r => r.pid!.Value);

    /// <summary>CPU seconds each of a site's resources has used so far, its children included.</summary>
    public IReadOnlyDictionary<string, double> CpuSeconds(string site) =>
        ProcessIds(site).ToDictionary(r => r.Key, r => Processes.Tree(r.Value).Sum(Processes.CpuSeconds));

    private int? ProcessId(string resource) =>
        Snapshot(resource).Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private CustomResourceSnapshot Snapshot(string resource) =>
        _app.ResourceNotifications.TryGetCurrentState(resource, out var state)
            ? state.Snapshot
            : throw new InvalidOperationException($"No resource '{resource}'.");

    public async ValueTask DisposeAsync()
    {
        var processes = Settings.Sites.SelectMany(site => ProcessIds(site.Name).Values).ToArray();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await _app.StopAsync(timeout.Token);
        }
        await _app.DisposeAsync();
        _telemetry.Dispose();
        var deadline = Stopwatch.StartNew();
        while (processes.Any(pid => Directory.Exists($"/proc/{pid}")))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException($"Processes still running after the stack stopped: {string.Join(", ", processes.Where(pid => Directory.Exists($"/proc/{pid}")))}");
            }
            await Task.Delay(200);
        }
    }
}
