using System.Collections.Concurrent;
using Aspire.Hosting;

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>A process one of the app model's resources ran, directly or through what Aspire started.</summary>
public sealed record StartedProcess(string Resource, ProcessEntry Process)
{
    public override string ToString() => $"{Resource}: {Process.Pid} {Process.CommandLine}";
}

/// <summary>
/// Every operating-system process an app model's resources ran: each PID Aspire reported, across
/// restarts, and all each of those started, such as the child Syncthing's monitor runs. What
/// outlives a stopped app is found here, whatever its command line says.
/// </summary>
public sealed class StartedProcesses
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<(int Pid, long StartTicks), StartedProcess> _seen = new();
    private readonly ConcurrentDictionary<(int Pid, long StartTicks), StartedProcess> _roots = new();

    /// <summary>Follows the app's resources until <paramref name="stop"/> is cancelled, recording each PID they report and its tree.</summary>
    public void Follow(DistributedApplication app, CancellationToken stop) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in app.ResourceNotifications.WatchAsync(stop))
                {
                    if (ResourceProcess.Pid(update.Snapshot) is { } pid && ProcessTable.Read(pid) is { } process)
                    {
                        _roots.TryAdd((process.Pid, process.StartTicks), new StartedProcess(update.Resource.Name, process));
                        RecordTrees();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

    /// <summary>
    /// Adds what the recorded processes have started since. Call it before they stop or are
    /// killed: a child whose parent is gone is no longer found under it.
    /// </summary>
    public void RecordTrees()
    {
        var all = ProcessTable.All();
        foreach (var root in _roots.Values.Where(r => ProcessTable.IsRunning(r.Process)))
        {
            foreach (var process in ProcessTable.Tree(root.Process.Pid, all))
            {
                _seen.TryAdd((process.Pid, process.StartTicks), new StartedProcess(root.Resource, process));
            }
        }
    }

    /// <summary>Every process recorded so far, running or not.</summary>
    public IReadOnlyList<StartedProcess> All => _seen.Values.OrderBy(p => p.Resource, StringComparer.Ordinal).ThenBy(p => p.Process.Pid).ToArray();

    public IReadOnlyList<StartedProcess> Running() => All.Where(p => ProcessTable.IsRunning(p.Process)).ToArray();

    /// <summary>
    /// Waits until none of the recorded processes runs, nor any process that names
    /// <paramref name="dataDirectory"/> on its command line; returns those still running when
    /// <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<IReadOnlyList<string>> WaitUntilNoneRunsAsync(string dataDirectory, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IReadOnlyList<string> running =
            [
                .. Running().Select(p => p.ToString()),
                .. ProcessTable.Mentioning(dataDirectory).Select(pid => $"{pid} works on {dataDirectory}"),
            ];
            if (running.Count == 0 || DateTime.UtcNow > deadline)
            {
                return running;
            }
            await Task.Delay(PollInterval);
        }
    }
}
