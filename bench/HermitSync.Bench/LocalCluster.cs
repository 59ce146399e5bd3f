using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Bench;

/// <summary>A throwaway three-node rqlited cluster on free loopback ports, stopped by PID on dispose.</summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hermit-bench-").FullName;
    private readonly List<Process> _nodes = [];
    private readonly int _firstPort;
    private const string Password = "bench-password";

    private LocalCluster(int firstPort) => _firstPort = firstPort;

    public RqliteClient Client { get; private set; } = null!;

    public static async Task<LocalCluster> StartAsync(string rqlited)
    {
        var cluster = new LocalCluster(FreeRun(6));
        await File.WriteAllTextAsync(Path.Combine(cluster._directory, "auth.json"),
            JsonSerializer.Serialize(new[] { new { username = "hermit", password = Password, perms = new[] { "all" } } }));
        var join = string.Join(",", Enumerable.Range(0, 3).Select(i => $"127.0.0.1:{cluster._firstPort + (2 * i) + 1}"));
        for (var i = 0; i < 3; i++)
        {
            var http = cluster._firstPort + (2 * i);
            var start = new ProcessStartInfo(rqlited) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "-node-id", $"n{i}", "-http-addr", $"127.0.0.1:{http}", "-raft-addr", $"127.0.0.1:{http + 1}",
                         "-bootstrap-expect", "3", "-join", join, "-join-as", "hermit", "-auth", Path.Combine(cluster._directory, "auth.json"),
                         Path.Combine(cluster._directory, $"n{i}") })
            {
                start.ArgumentList.Add(arg);
            }
            var process = Process.Start(start)!;
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            cluster._nodes.Add(process);
        }
        var settings = new RqliteClientSettings { Username = "hermit", Password = Password, RequestTimeout = TimeSpan.FromMinutes(5) };
        settings.Endpoints.AddRange(Enumerable.Range(0, 3).Select(i => new Uri($"http://127.0.0.1:{cluster._firstPort + (2 * i)}")));
        var httpClient = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        cluster.Client = new RqliteClient(() => httpClient, settings);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!(await cluster.Client.GetNodesAsync(timeout.Token)).Any(n => n.Leader))
        {
            await Task.Delay(200, timeout.Token);
        }
        return cluster;
    }

    private static int FreeRun(int count)
    {
        while (true)
        {
            var first = Random.Shared.Next(30_000, 50_000);
            if (Enumerable.Range(first, count).All(port =>
                {
                    try
                    {
                        using var listener = new TcpListener(IPAddress.Loopback, port);
                        listener.Start();
                        return true;
                    }
                    catch (SocketException)
                    {
                        return false;
                    }
                }))
            {
                return first;
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Kill();
            node.WaitForExit(10_000);
            node.Dispose();
        }
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
