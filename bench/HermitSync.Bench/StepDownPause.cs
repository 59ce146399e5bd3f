using System.Diagnostics;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using HermitSync.AppHost.Site;

namespace HermitSync.Bench;

/// <summary>
/// How long a write through the API waits while "Step down leader" hands the cluster's leadership
/// to a follower and restarts the old leader, beside the same load's longest wait in the seconds
/// just before: the pause a person saving a note meets when the command runs.
/// </summary>
public static class StepDownPause
{
    private const string Site = "a";
    private const int Writers = 4;
    private const int StepDowns = 3;

    /// <summary>The steady load watched before each step-down.</summary>
    private static readonly TimeSpan Steady = TimeSpan.FromSeconds(4);

    /// <summary>How long after the command's end writes are still counted: longer than any pause measured, so a write still waiting then is answered and counted.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(6);

    /// <summary>How long the old leader may take to rejoin before the next round: a round's command refuses while a node is down.</summary>
    private static readonly TimeSpan Rejoin = TimeSpan.FromMinutes(2);

    /// <summary>How many times the command may refuse, a node being down, before the bench gives up.</summary>
    private const int MaxRefusals = 5;

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Writes through the API while \"Step down leader\" runs, {StepDowns} times, {Writers} writers");
        using var api = stack.OwnHttp(Site, SiteResource.Api);
        var monitor = await stack.RqliteAsAsync(Site, RqliteUser.Monitor);
        var writes = new WriteLog();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(() => WriteAsync(api, writes, stop.Token))).ToArray();
        var steady = new List<double>();
        var steppedDown = new List<double>();
        var refused = 0;
        try
        {
            for (var round = 0; round < StepDowns; round++)
            {
                // On a busy machine the last round's old leader can take longer than Settle to rejoin.
                await Poll.UntilAsync(async () => (await monitor.GetNodesAsync()).All(n => n.Reachable), TimeSpan.FromMilliseconds(200), "every node of the cluster reachable", Rejoin);
                var watched = Stopwatch.GetTimestamp();
                await Task.Delay(Steady);
                steady.Add(writes.LongestWaitFrom(watched, Stopwatch.GetTimestamp()));
                var commanded = Stopwatch.GetTimestamp();
                try
                {
                    await stack.CommandAsync(Site, SiteResource.Rqlite, RqliteCommandExtensions.StepDownCommand);
                }
                catch (InvalidOperationException e) when (e.Message.Contains("would lose quorum") && ++refused <= MaxRefusals)
                {
                    // A node seen back moments before was unreachable again when the command asked: the round is run again.
                    Console.WriteLine($"  the command refused ({e.Message}); the round runs again");
                    steady.RemoveAt(steady.Count - 1);
                    round--;
                    continue;
                }
                await Task.Delay(Settle);
                steppedDown.Add(writes.LongestWaitFrom(commanded, Stopwatch.GetTimestamp()));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        report.Add(new Figure($"longest write wait through the API while \"Step down leader\" runs, {Writers} writers, median of {StepDowns}", "s", Stats.Median(steppedDown),
            new Anchor("the same load's longest wait just before", Stats.Median(steady)), "report", null));
        report.Note($"Step down leader: the longest write waited {string.Join(", ", steppedDown.Select(s => $"{s:0.000}"))} s in the {StepDowns} step-downs, " +
            $"{string.Join(", ", steady.Select(s => $"{s:0.000}"))} s in the {Steady.TotalSeconds:0} s before each; {writes.Failed} of {writes.Count} writes failed; the command refused {refused} time(s), a node being down, and those rounds ran again.");
    }

    private static async Task WriteAsync(HttpClient api, WriteLog writes, CancellationToken stop)
    {
        for (var number = 0; !stop.IsCancellationRequested; number++)
        {
            var sent = Stopwatch.GetTimestamp();
            var ok = false;
            try
            {
                using var created = await api.PostAsJsonAsync("/api/notes", new { title = SampleNote.Title(number), body = SampleNote.Body }, CancellationToken.None);
                ok = created.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
            }
            writes.Add(sent, Stopwatch.GetTimestamp(), ok);
        }
    }

    /// <summary>Every write's start and end, in <see cref="Stopwatch"/> ticks.</summary>
    private sealed class WriteLog
    {
        private readonly Lock _gate = new();
        private readonly List<(long Sent, long Answered)> _writes = [];

        public int Count { get; private set; }

        public int Failed { get; private set; }

        public void Add(long sent, long answered, bool ok)
        {
            lock (_gate)
            {
                _writes.Add((sent, answered));
                Count++;
                Failed += ok ? 0 : 1;
            }
        }

        /// <summary>The longest wait of the writes answered between <paramref name="from"/> and <paramref name="to"/>.</summary>
        public double LongestWaitFrom(long from, long to)
        {
            lock (_gate)
            {
                return _writes.Where(w => w.Answered >= from && w.Answered <= to)
                    .Select(w => Stopwatch.GetElapsedTime(w.Sent, w.Answered).TotalSeconds)
                    .DefaultIfEmpty(0)
                    .Max();
            }
        }
    }
}
