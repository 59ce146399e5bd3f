using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.AppHost.Site;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Testing;
using HermitSync.Rqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>
/// One AppHost, started for real in executable mode, shared by the tests of a class: one site,
/// or several (named a, b, …). It gets a fresh data directory and free ports, and its secrets
/// are set here so nothing is generated into the developer's user secrets. Disposing it stops
/// every process.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public StackSettings Settings { get; }

    public string DataDirectory => Settings.DataDirectory;

    public string RqlitePassword => Settings.RqlitePassword;

    public string SyncthingApiKey => Settings.SyncthingApiKey;

    public string SyncPassphrase => Settings.SyncPassphrase;

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The AppHost's internal credential for this run, which the API and the exporter ask every caller for.</summary>
    public string InternalKey { get; private set; } = "";

    /// <summary>Every secret the stack holds: none may show in a log line or on a command line.</summary>
    public IReadOnlyList<string> Secrets =>
        [RqlitePassword, SyncthingApiKey, Settings.SyncthingGuiPassword, SyncPassphrase, InternalKey, .. Settings.Sites.Select(site => site.AccessKey())];

    /// <inheritdoc cref="AppModel.Resources"/>
    public IReadOnlyList<string> Resources => App.Resources().Select(resource => resource.Name).ToArray();

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _logLines = new();
    private readonly Dictionary<string, string> _rqliteConnectionStrings = [];
    private CancellationTokenSource _stopWatching = new();

    /// <summary>Every process the stack's resources ran, across restarts, and what each of them started.</summary>
    public StartedProcesses StartedProcesses { get; } = new();

    /// <summary>Every line the stack's resources have logged so far: their console output, as the dashboard shows it.</summary>
    public IReadOnlyCollection<string> LogLines => _logLines;

    public StackFixture() : this(sites: 1)
    {
    }

    /// <summary>Stacks that exchange files must share a passphrase; <paramref name="settings"/> are extra AppHost settings.</summary>
    internal StackFixture(int sites, string? syncPassphrase = null, params string[] settings) =>
        Settings = new StackSettings(sites, syncPassphrase, settings);

    /// <summary>Whether each site is given <see cref="SyncPassphrase"/> once it runs; false leaves it to the test, as on a first start.</summary>
    public bool JoinsWithPassphrase { get; init; } = true;

    /// <summary>
    /// Changes to the AppHost before it is built, e.g. where its services send telemetry. Without
    /// any, the telemetry goes to a <see cref="TelemetrySink"/>.
    /// </summary>
    public Action<IDistributedApplicationTestingBuilder>? Configure { get; init; }

    private TelemetrySink? _telemetrySink;

    public async Task InitializeAsync() => await StartAsync();

    /// <summary>Starts the stack on its data directory, with <paramref name="once"/> added to its settings for this start only.</summary>
    public async Task StartAsync(params string[] once)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HermitSync_AppHost>(
            [.. Settings.Arguments, .. once],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (Configure is null)
        {
            (_telemetrySink ??= new()).ReceiveFrom(builder.Configuration);
        }
        else
        {
            Configure(builder);
        }
        App = await builder.BuildAsync(timeout.Token);
        _stopWatching = new CancellationTokenSource();
        StartedProcesses.Follow(App, _stopWatching.Token);
        // Not after the start: it waits for ever on a process that ended while starting.
        WatchLogs();
        try
        {
            await App.StartUntilHealthyAsync(timeout.Token);
            InternalKey = await App.InternalKeyAsync(timeout.Token);
            StartedProcesses.RecordTrees();
            foreach (var site in Settings.Sites)
            {
                _rqliteConnectionStrings[site.Name] = await App.GetConnectionStringAsync(site.ResourceName(SiteResource.Rqlite), timeout.Token)
                    ?? throw new InvalidOperationException($"Site '{site.Name}' has no rqlite connection string.");
                if (JoinsWithPassphrase)
                {
                    using var api = ApiClient(site.Name);
                    await SitePassphrase.JoinAsync(api, SyncPassphrase, timeout.Token);
                }
            }
        }
        catch (ResourceEndedException ended)
        {
            await LogsSettledAsync(ended.Resource);
            var states = Describe();
            await App.DisposeAsync();
            throw new InvalidOperationException($"{ended.Message}:{Environment.NewLine}{states}", ended);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            var states = Describe();
            await App.DisposeAsync();
            throw new TimeoutException($"The stack did not start within {StartTimeout.TotalMinutes:0} min:{Environment.NewLine}{states}");
        }
        catch
        {
            // A stack that never became healthy is still stopped, so no process outlives the test.
            await App.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the log watch has had nothing new from <paramref name="resource"/> for a second: its output arrives after its state does.</summary>
    private async Task LogsSettledAsync(string resource)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var seen = -1;
        while (DateTime.UtcNow < deadline)
        {
            var lines = _logLines.Count(line => line.StartsWith($"{resource}: ", StringComparison.Ordinal));
            if (lines == seen && lines > 0)
            {
                return;
            }
            seen = lines;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Each resource's state and health, and the last lines of those not yet healthy: what a start that hangs needs to be told apart.</summary>
    private string Describe()
    {
        var lines = new List<string>();
        foreach (var resource in Resources)
        {
            App.ResourceNotifications.TryGetCurrentState(resource, out var current);
            var health = current?.Snapshot.HealthStatus;
            lines.Add($"{resource}: {current?.Snapshot.State?.Text ?? "no state"}, {health?.ToString() ?? "no health"}");
            if (health != Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy)
            {
                lines.AddRange(_logLines.Where(line => line.StartsWith($"{resource}: ", StringComparison.Ordinal)).TakeLast(8).Select(line => $"    {line}"));
            }
        }
        return string.Join(Environment.NewLine, lines);
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        StartedProcesses.RecordTrees();
        await _stopWatching.CancelAsync();
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }

    private void WatchLogs()
    {
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources.Where(r => Resources.Contains(r.Name)))
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    // Aspire streams a process's output, from its first line, to whoever watches once
                    // the process exists; a watch begun before that is never fed.
                    await App.ResourceNotifications.WaitForResourceAsync(resource.Name, change => change.Snapshot.State?.Text is { } state
                        && (state == KnownResourceStates.Running || KnownResourceStates.TerminalStates.Contains(state)), _stopWatching.Token);
                    await foreach (var batch in logs.WatchAsync(resource).WithCancellation(_stopWatching.Token))
                    {
                        foreach (var line in batch)
                        {
                            _logLines.Enqueue($"{resource.Name}: {line.Content}");
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
    }

    /// <inheritdoc cref="AppModel.Processes"/>
    public IReadOnlyList<string> Processes => App.Processes().Select(resource => resource.Name).ToArray();

    /// <summary>A site's resource name, as the AppHost names it (<see cref="SiteResource"/>).</summary>
    public string Name(string site, string resource) => Settings.Site(site).ResourceName(resource);

    /// <summary>A site's settings as the AppHost reads them: its folders and ports.</summary>
    public SiteSettings Site(string site = "") => Settings.Site(site);

    /// <inheritdoc cref="AppModel.RqliteCluster"/>
    public RqliteClusterResource RqliteCluster(string site = "") => App.RqliteCluster(Site(site));

    /// <summary>The name of node <paramref name="node"/> (from 1) of a site's rqlite cluster, as the integration names it.</summary>
    public string RqliteNodeName(int node, string site = "") => RqliteCluster(site).Nodes[node - 1].Name;

    /// <summary>
    /// A client for one of a site's services, holding what that service asks its callers for: the
    /// web app the site's access key (as a script sends it), the API and the exporter the AppHost's
    /// internal credential. It does not follow redirects, so tests see them. Every client of a
    /// service below is made here.
    /// </summary>
    public HttpClient Client(string resource, string site = "", HttpMessageHandler? handler = null)
    {
        var http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false })
        {
            BaseAddress = App.GetEndpoint(Name(site, resource), "http"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", resource == SiteResource.Web ? Site(site).AccessKey() : InternalKey);
        return http;
    }

    /// <summary>A client for one web app session: it keeps cookies and does not follow redirects, so tests see them.</summary>
    public HttpClient WebBrowserClient(string site = "") =>
        Client(SiteResource.Web, site, new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false });

    /// <summary>A client for a site's API itself, past the web app.</summary>
    public HttpClient ApiClient(string site = "") => Client(SiteResource.Api, site);

    /// <summary>The link <c>./hermit run</c> prints for a site, which lets a browser in.</summary>
    public Uri NotesLink(string site = "") => new(App.GetEndpoint(Name(site, SiteResource.Web), "http"), $"/login?t={Site(site).AccessKey()}");

    /// <summary>A client for a site's Syncthing REST API, with the key in its header.</summary>
    public HttpClient SyncthingClient(string site = "")
    {
        var http = new HttpClient { BaseAddress = App.GetEndpoint(Name(site, SiteResource.Syncthing), "http"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-API-Key", SyncthingApiKey);
        return http;
    }

    public Uri RqliteNode(int node, string site = "") => App.GetEndpoint(RqliteNodeName(node, site), "http");

    /// <summary>A client for a site's cluster, from the connection string the AppHost gives its services.</summary>
    public RqliteClient Rqlite(string site = "") => RqliteClient.Create(_rqliteConnectionStrings[site]);

    /// <summary>Stops the stack and fails if any process it ran, or any process working on its data, outlives it.</summary>
    public async Task DisposeAsync()
    {
        IReadOnlyList<string> left;
        try
        {
            await StopAsync();
        }
        finally
        {
            left = await StartedProcesses.WaitUntilNoneRunsAsync(DataDirectory, TimeSpan.FromSeconds(30));
            Settings.DeleteData();
            _telemetrySink?.Dispose();
        }
        Assert.True(left.Count == 0, $"Processes outlived the stack:{Environment.NewLine}{string.Join(Environment.NewLine, left)}");
    }
}
