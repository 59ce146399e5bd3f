using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using HermitSync.Testing;
using Microsoft.Extensions.Configuration;

namespace HermitSync.Bench;

/// <summary>
/// What a site's start is judged against: the same three rqlited and Syncthing, started by the
/// bench itself with nothing around them, from launch until each says it is ready. The first
/// start is on fresh data (the cluster bootstraps, Syncthing makes its keys), later ones on the
/// data the first left, as the stack's starts are.
/// </summary>
public sealed class StartFloor(string repository) : IDisposable
{
    private const int Nodes = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly string _directory = Directory.CreateTempSubdirectory("hermit-floor-").FullName;
    private readonly int _rqlitePorts = FreePorts.Consecutive(2 * Nodes);
    private readonly int _guiPort = FreePorts.One();
    private readonly int _listenPort = FreePorts.One();
    private readonly IConfiguration _configuration = new ConfigurationBuilder().Build();

    /// <summary>Starts them all, waits until each is ready, and stops them: the time it took, and the CPU they used by then.</summary>
    public async Task<(TimeSpan Elapsed, double CpuSeconds)> MeasureAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var processes = new List<Process>();
        try
        {
            var started = Stopwatch.GetTimestamp();
            processes.AddRange(Enumerable.Range(0, Nodes).Select(StartNode));
            processes.Add(StartSyncthing());
            var ready = Enumerable.Range(0, Nodes).Select(node => $"http://127.0.0.1:{_rqlitePorts + 2 * node}/readyz")
                .Append($"http://127.0.0.1:{_guiPort}/rest/noauth/health");
            await Task.WhenAll(ready.Select(url => WaitForOkAsync(http, url, timeout.Token)));
            var elapsed = Stopwatch.GetElapsedTime(started);
            return (elapsed, processes.SelectMany(p => Processes.Tree(p.Id)).Sum(Processes.CpuSeconds));
        }
        finally
        {
            foreach (var process in processes)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                process.Dispose();
            }
        }
    }

    private Process StartNode(int node)
    {
        var joins = string.Join(",", Enumerable.Range(0, Nodes).Select(n => $"127.0.0.1:{_rqlitePorts + 2 * n + 1}"));
        return Start(Rqlited.Locate(_configuration, repository),
            "-node-id", $"floor-{node}",
            "-http-addr", $"127.0.0.1:{_rqlitePorts + 2 * node}",
            "-raft-addr", $"127.0.0.1:{_rqlitePorts + 2 * node + 1}",
            "-bootstrap-expect", $"{Nodes}", "-join", joins,
            Path.Combine(_directory, $"rqlite-{node}"));
    }

    /// <summary>With the site's own seed: on loopback, nothing announced, no relays.</summary>
    private Process StartSyncthing()
    {
        var home = Path.Combine(_directory, "syncthing");
        if (!Directory.Exists(home))
        {
            Directory.CreateDirectory(home);
            File.WriteAllText(Path.Combine(home, "config.xml"), File.ReadAllText(Path.Combine(repository, "syncthing", "config.xml"))
                .Replace("127.0.0.1:8384", $"127.0.0.1:{_guiPort}", StringComparison.Ordinal)
                .Replace("tcp://127.0.0.1:22000", $"tcp://127.0.0.1:{_listenPort}", StringComparison.Ordinal));
        }
        return Start(SyncthingBinary.Locate(_configuration, repository), "serve", "--no-browser", "--no-restart", "--home", home);
    }

    private static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        var process = Process.Start(start)!;
        // Read and dropped, so a full pipe never stalls them.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForOkAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(50, cancellationToken);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
