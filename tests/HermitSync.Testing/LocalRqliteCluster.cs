using System.Diagnostics;
using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Testing;

/// <summary>
/// Three real rqlited processes with <c>-auth</c>, on free loopback ports, in a temporary
/// directory. Each process is stopped by its PID; disposing stops them all and removes the data.
/// </summary>
public sealed class LocalRqliteCluster : IAsyncDisposable
{
    public const string Username = "hermit";

    private readonly string _rqlited;
    private readonly string _directory = Directory.CreateTempSubdirectory("hermit-rqlite-").FullName;
    private readonly Process?[] _nodes = new Process?[3];
    private readonly int _firstPort = FreePorts.Consecutive(6);

    private LocalRqliteCluster(string rqlited) => _rqlited = rqlited;

    public string Password { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public IReadOnlyList<Uri> Endpoints => Enumerable.Range(0, 3).Select(i => new Uri($"http://127.0.0.1:{HttpPort(i)}")).ToArray();

    public static async Task<LocalRqliteCluster> StartAsync(string rqlited)
    {
        var cluster = new LocalRqliteCluster(rqlited);
        await File.WriteAllTextAsync(Path.Combine(cluster._directory, "auth.json"),
            JsonSerializer.Serialize(new[] { new { username = Username, password = cluster.Password, perms = new[] { "all" } } }));
        for (var i = 0; i < 3; i++)
        {
            cluster.Start(i);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = cluster.Client();
        while (true)
        {
            var nodes = await client.GetNodesAsync(timeout.Token);
            if (nodes.Count(n => n.Reachable && n.Voter) == 3 && nodes.Any(n => n.Leader))
            {
                return cluster;
            }
            await Task.Delay(200, timeout.Token);
        }
    }

    public RqliteClient Client(TimeSpan? failoverTimeout = null, TimeSpan? requestTimeout = null)
    {
        var settings = new RqliteClientSettings
        {
            Username = Username,
            Password = Password,
            FailoverTimeout = failoverTimeout ?? TimeSpan.FromSeconds(15),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
        };
        settings.Endpoints.AddRange(Endpoints);
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        return new RqliteClient(() => http, settings);
    }

    public int HttpPort(int node) => _firstPort + (2 * node);

    /// <summary>Starts node <paramref name="node"/> (0–2), again on its own data if it ran before.</summary>
    public void Start(int node)
    {
        var join = string.Join(",", Enumerable.Range(0, 3).Select(i => $"127.0.0.1:{HttpPort(i) + 1}"));
        var start = new ProcessStartInfo(_rqlited) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "-node-id", $"n{node}", "-http-addr", $"127.0.0.1:{HttpPort(node)}", "-raft-addr", $"127.0.0.1:{HttpPort(node) + 1}",
            "-bootstrap-expect", "3", "-join", join, "-join-as", Username, "-auth", Path.Combine(_directory, "auth.json"),
            Path.Combine(_directory, $"n{node}"),
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _nodes[node] = process;
    }

    public void Kill(int node)
    {
        if (_nodes[node] is { } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
            process.Dispose();
            _nodes[node] = null;
        }
    }

    public ValueTask DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            Kill(i);
        }
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }
}
