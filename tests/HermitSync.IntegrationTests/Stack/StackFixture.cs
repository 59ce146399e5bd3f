using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
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

    public IReadOnlyList<string> Sites => Settings.Sites;

    public IReadOnlyList<string> Resources => Settings.Resources;

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _logLines = new();
    private readonly Dictionary<string, string> _rqliteConnectionStrings = [];
    private CancellationTokenSource _stopWatchingLogs = new();

    /// <summary>Every line the stack's resources have logged so far: their console output, as the dashboard shows it.</summary>
    public IReadOnlyCollection<string> LogLines => _logLines;

    public StackFixture() : this(sites: 1)
    {
    }

    /// <summary>Stacks that exchange files must share a passphrase; <paramref name="settings"/> are extra AppHost settings.</summary>
    internal StackFixture(int sites, string? syncPassphrase = null, params string[] settings) =>
        Settings = new StackSettings(sites, syncPassphrase, settings);

    /// <summary>Changes to the AppHost before it is built, e.g. where its services send telemetry.</summary>
    public Action<IDistributedApplicationTestingBuilder>? Configure { get; init; }

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HermitSync_AppHost>(
            Settings.Arguments,
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        Configure?.Invoke(builder);
        App = await builder.BuildAsync(timeout.Token);
        try
        {
            await App.StartAsync(timeout.Token);
            _stopWatchingLogs = new CancellationTokenSource();
            WatchLogs();
            foreach (var resource in Resources)
            {
                await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
            foreach (var site in Sites)
            {
                _rqliteConnectionStrings[site] = await App.GetConnectionStringAsync(Name(site, "rqlite"), timeout.Token)
                    ?? throw new InvalidOperationException($"Site '{site}' has no rqlite connection string.");
            }
        }
        catch
        {
            // A stack that never became healthy is still stopped, so no process outlives the test.
            await App.DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _stopWatchingLogs.CancelAsync();
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
                    await foreach (var batch in logs.WatchAsync(resource).WithCancellation(_stopWatchingLogs.Token))
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

    /// <inheritdoc cref="StackSettings.ResourceName"/>
    public static string Name(string site, string resource) => StackSettings.ResourceName(site, resource);

    /// <summary>Where a site keeps its data.</summary>
    public string SiteDirectory(string site = "") => Settings.SiteDirectory(site);

    /// <summary>A client for one web app session: it keeps cookies and does not follow redirects, so tests see them.</summary>
    public HttpClient WebBrowserClient(string site = "") =>
        new(new HttpClientHandler { CookieContainer = new System.Net.CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = App.GetEndpoint(Name(site, "web"), "http"),
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>A client for a site's Syncthing REST API, with the key in its header.</summary>
    public HttpClient SyncthingClient(string site = "")
    {
        var http = new HttpClient { BaseAddress = App.GetEndpoint(Name(site, "syncthing"), "http"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-API-Key", SyncthingApiKey);
        return http;
    }

    public Uri RqliteNode(int node, string site = "") => App.GetEndpoint(Name(site, $"rqlite-{node}"), "http");

    /// <summary>A client for a site's cluster, from the connection string the AppHost gives its services.</summary>
    public RqliteClient Rqlite(string site = "") => RqliteClient.Create(_rqliteConnectionStrings[site]);

    public async Task DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await ProcessTable.WaitUntilNoneMentionAsync(DataDirectory, TimeSpan.FromSeconds(30));
            Settings.DeleteData();
        }
    }
}
