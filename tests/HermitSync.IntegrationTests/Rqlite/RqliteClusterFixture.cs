using System.Diagnostics;
using System.Text.Json;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Rqlite;

/// <summary>
/// Three real rqlited processes with <c>-auth</c>, on free loopback ports, in a temporary
/// directory. Each process is stopped by its PID when the fixture is disposed.
/// </summary>
public sealed class RqliteClusterFixture : IAsyncLifetime
{
    public const string Username = "hermit";
    public string Password { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    private readonly string _directory = Directory.CreateTempSubdirectory("hermit-rqlite-it-").FullName;
    private readonly Process?[] _nodes = new Process?[3];
    private int _firstPort;

    public IReadOnlyList<Uri> Endpoints => Enumerable.Range(0, 3).Select(i => new Uri($"http://127.0.0.1:{HttpPort(i)}")).ToArray();

    public RqliteClient Client(TimeSpan? failoverTimeout = null)
    {
        var settings = new RqliteClientSettings { Username = Username, Password = Password, FailoverTimeout = failoverTimeout ?? TimeSpan.FromSeconds(15) };
        settings.Endpoints.AddRange(Endpoints);
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
        return new RqliteClient(() => http, settings);
    }

    public async Task InitializeAsync()
    {
        _firstPort = FreePorts.Consecutive(6);
        await File.WriteAllTextAsync(Path.Combine(_directory, "auth.json"),
            JsonSerializer.Serialize(new[] { new { username = Username, password = Password, perms = new[] { "all" } } }));
        for (var i = 0; i < 3; i++)
        {
            Start(i);
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var client = Client();
        while (!(await client.GetNodesAsync(timeout.Token)).Count(n => n.Reachable && n.Voter).Equals(3)
               || !(await client.GetNodesAsync(timeout.Token)).Any(n => n.Leader))
        {
            await Task.Delay(200, timeout.Token);
        }
    }

    public int HttpPort(int node) => _firstPort + (2 * node);

    public void Start(int node)
    {
        var join = string.Join(",", Enumerable.Range(0, 3).Select(i => $"127.0.0.1:{HttpPort(i) + 1}"));
        var start = new ProcessStartInfo(Repository.Rqlited)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
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
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
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

    public Task DisposeAsync()
    {
        for (var i = 0; i < _nodes.Length; i++)
        {
            Kill(i);
        }
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
