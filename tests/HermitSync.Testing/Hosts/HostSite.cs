using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json;
using HermitSync.AppHost.Site;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.UserSecrets;

namespace HermitSync.Testing.Hosts;

/// <summary>
/// A site on a host of its own, started the way the README says: <c>./hermit run</c> with default
/// settings and a private data directory, inside the host's namespace, then the shared passphrase
/// given as the Sync page's "Join" gives it. Its user secrets are its own too (<c>APPDATA</c> points
/// them into the site's folder), as on another machine. Stopping it is SIGTERM to the process
/// group <c>./hermit run</c> leads; anything still in the namespace a minute later is SIGKILLed, by
/// PID, and the stop fails.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostSite : IAsyncDisposable
{
    private const string NotesLinkPrefix = "Notes: ";

    /// <summary>What Aspire logs once the AppHost itself runs.</summary>
    private const string AppHostStarting = "Distributed application starting";

    private readonly Process _run;
    private readonly StreamWriter _log;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly string _appData;
    private readonly string _passphrase;

    private HostSite(NetworkHost host, string folder, SiteSettings settings, Process run, StreamWriter log, string passphrase)
    {
        _passphrase = passphrase;
        Host = host;
        Folder = folder;
        Settings = settings;
        _run = run;
        _log = log;
        _appData = Path.Combine(folder, "appdata");
    }

    public NetworkHost Host { get; }

    /// <summary>The site's folder: its data directory and its user secrets.</summary>
    public string Folder { get; }

    /// <summary>The site as its AppHost reads it from the same arguments: ports, folders.</summary>
    public SiteSettings Settings { get; }

    /// <summary>The address a peer on another host types into the Sync page: <c>tcp://&lt;its IP&gt;:22010</c>.</summary>
    public string SyncAddress => $"tcp://{Host.Address}:{Settings.SyncthingListenPort}";

    /// <summary>The <c>Notes:</c> link <c>./hermit run</c> printed.</summary>
    public Uri NotesLink => _output.FirstOrDefault(line => line.StartsWith(NotesLinkPrefix, StringComparison.Ordinal)) is { } line
        ? new Uri(line[NotesLinkPrefix.Length..].Trim())
        : throw new InvalidOperationException($"./hermit run on {Host.Name} has not printed its Notes link.");

    /// <summary>
    /// Starts the site and returns once its AppHost runs, that is once <c>./hermit run</c> has
    /// built what it needed, so the next site's build never overlaps this one's; then
    /// <see cref="WaitUntilReadyAsync"/>. <paramref name="options"/> are more <c>./hermit run</c>
    /// options, such as <c>--HermitSync:Discovery=lan</c>.
    /// </summary>
    public static async Task<HostSite> LaunchAsync(NetworkHost host, string repository, string passphrase, string logFile, TimeSpan patience, params string[] options)
    {
        var folder = Directory.CreateTempSubdirectory($"hermit-host-{host.Name}-").FullName;
        var appData = Path.Combine(folder, "appdata");
        string[] arguments = [$"--HermitSync:DataDirectory={Path.Combine(folder, "data")}", .. options];
        var settings = SiteSettings.ReadAll(new ConfigurationBuilder().AddCommandLine(arguments).Build()).Single();

        // setsid: ./hermit run leads a process group of its own, as in a terminal, so one signal reaches all of it.
        var start = Command(repository, appData, ["setsid", "ip", "netns", "exec", host.Namespace.Name, "./hermit", "run", .. arguments]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var log = new StreamWriter(logFile, append: false) { AutoFlush = true };
        var run = Process.Start(start)!;
        var site = new HostSite(host, folder, settings, run, log, passphrase);
        run.OutputDataReceived += (_, line) => site.Keep(line.Data);
        run.ErrorDataReceived += (_, line) => site.Keep(line.Data);
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            await site.WaitAsync(() => Task.FromResult(site._output.Any(line => line.Contains(AppHostStarting, StringComparison.Ordinal))), "start its AppHost", patience);
            return site;
        }
        catch (Exception failure)
        {
            try
            {
                await site.DisposeAsync();
            }
            catch (InvalidOperationException leftovers)
            {
                throw new AggregateException(failure, leftovers);
            }
            throw;
        }
    }

    /// <summary>Waits until the site's web app answers for sync, every part of it up, and gives the site the shared passphrase.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan patience)
    {
        await AnswersForSyncAsync(patience);
        using var http = Client();
        using var timeout = new CancellationTokenSource(patience);
        await SitePassphrase.JoinAsync(http, _passphrase, timeout.Token);
    }

    private Task AnswersForSyncAsync(TimeSpan patience) => WaitAsync(async () =>
    {
        if (!File.Exists(Settings.AccessTokenFile) || !_output.Any(line => line.StartsWith(NotesLinkPrefix, StringComparison.Ordinal)))
        {
            return false;
        }
        try
        {
            using var http = Client();
            return (await http.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).TryGetProperty("deviceId", out var id) && id.GetString() is { Length: > 0 };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }, "answer for sync", patience);

    /// <summary>A client of the site's web app and its /api, from inside its host, with the site's access key.</summary>
    public HttpClient Client()
    {
        var http = new HttpClient(Host.Namespace.Handler())
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Settings.WebPort}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Settings.AccessKey());
        return http;
    }

    /// <summary>A client of the site's Syncthing REST API, from inside its host, with the site's API key.</summary>
    public HttpClient SyncthingClient()
    {
        var http = new HttpClient(Host.Namespace.Handler())
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Settings.SyncthingGuiPort}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Add("X-API-Key", Secret("syncthing-api-key"));
        return http;
    }

    /// <summary>The site's Syncthing device ID, as its Sync page shows it.</summary>
    public async Task<string> DeviceIdAsync()
    {
        using var http = Client();
        return (await http.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).GetProperty("deviceId").GetString()!;
    }

    /// <summary>
    /// Pairs this site with <paramref name="other"/> through /api/sync/peers, as the Sync page's form
    /// does: its device ID, and its address unless discovery is to find it.
    /// </summary>
    public async Task PairWithAsync(HostSite other, bool withAddress = true)
    {
        using var http = Client();
        using var paired = await http.PostAsJsonAsync("/api/sync/peers", new { deviceId = await other.DeviceIdAsync(), name = other.Host.Name, address = withAddress ? other.SyncAddress : null });
        if (!paired.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Pairing {Host.Name} with {other.Host.Name}: {(int)paired.StatusCode} {await paired.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>One of the secrets the site's AppHost generated and keeps in its user secrets, e.g. <c>rqlite-password</c>.</summary>
    public string Secret(string parameter)
    {
        var id = typeof(SiteSettings).Assembly.GetCustomAttribute<UserSecretsIdAttribute>()!.UserSecretsId;
        using var secrets = JsonDocument.Parse(File.ReadAllText(Path.Combine(_appData, "Microsoft", "UserSecrets", id, "secrets.json")));
        return secrets.RootElement.GetProperty($"Parameters:{parameter}").GetString()!;
    }

    /// <summary>What <c>./hermit run</c> printed so far.</summary>
    public IReadOnlyList<string> Output => _output.ToArray();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        // The Notes link is the site's key: kept for the test, never written to the log.
        if (!line.StartsWith(NotesLinkPrefix, StringComparison.Ordinal))
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
        _output.Enqueue(line);
    }

    private async Task WaitAsync(Func<Task<bool>> done, string what, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await done())
        {
            if (_run.HasExited)
            {
                throw new InvalidOperationException($"./hermit run on {Host.Name} stopped ({_run.ExitCode}) before it could {what}: {Tail()}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The site on {Host.Name} did not {what} within {patience.TotalSeconds:0} s: {Tail()}");
            }
            await Task.Delay(500);
        }
    }

    private string Tail() => string.Join('\n', _output.Where(line => !line.StartsWith(NotesLinkPrefix, StringComparison.Ordinal)).TakeLast(20));

    /// <summary>Stops the site; fails, after killing them by PID, if any of its processes outlived a graceful stop.</summary>
    public async ValueTask DisposeAsync()
    {
        Signals.TerminateGroup(_run.Id);
        // The AppHost has DCP stop every resource before it ends; they are all in the namespace.
        for (var wait = 0; wait < 240 && Host.Namespace.Pids().Count > 0; wait++)
        {
            await Task.Delay(250);
        }
        var left = Host.Namespace.Pids();
        foreach (var pid in left)
        {
            Signals.Kill(pid);
        }
        _run.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }
        Directory.Delete(Folder, recursive: true);
        if (left.Count > 0)
        {
            throw new InvalidOperationException($"{left.Count} processes of the site on {Host.Name} outlived its stop and were killed: {string.Join(", ", left)}");
        }
    }

    private static ProcessStartInfo Command(string repository, string appData, params string[] command)
    {
        var start = Tools.Start(command[0], command[1..]);
        start.WorkingDirectory = repository;
        // User secrets live under APPDATA when it is set, on Linux too: each site keeps its own.
        start.Environment["APPDATA"] = appData;
        // The test host runs under dotnet test, whose MSBuild settings would steer ./hermit's build.
        foreach (var inherited in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(inherited);
        }
        return start;
    }
}
