using HermitSync.Testing;

namespace HermitSync.Bench;

/// <summary>
/// One site, as `./hermit run` starts it, from creating the AppHost to every resource healthy,
/// with the build already warm: first on fresh data (the cluster bootstraps, Syncthing makes
/// its identity), then restarted on the same data. Beside it, the floor: the same rqlited and
/// Syncthing started directly, alternating with the stack's starts so both see the same machine.
/// </summary>
public static class ColdStart
{
    private const int Starts = 3;

    public static async Task RunAsync(Report report, string repository)
    {
        Console.WriteLine($"Cold start: one site, {Starts} starts, each beside its parts started directly");
        var settings = new StackSettings(sites: 1);
        var seconds = new List<double>();
        var floorSeconds = new List<double>();
        var floorCpu = new List<double>();
        var timelines = new List<string>();
        IReadOnlyDictionary<string, double> cpu = new Dictionary<string, double>();
        using var floor = new StartFloor(repository);
        try
        {
            for (var i = 0; i < Starts; i++)
            {
                var (elapsed, used) = await floor.MeasureAsync();
                floorSeconds.Add(elapsed.TotalSeconds);
                floorCpu.Add(used);
                await using var stack = await BenchStack.StartAsync(settings);
                seconds.Add(stack.StartupTime.TotalSeconds);
                timelines.Add(Timeline(stack));
                cpu = stack.CpuSeconds("");
            }
        }
        finally
        {
            settings.DeleteData();
        }
        var median = Stats.Median(seconds);
        var floorMedian = Stats.Median(floorSeconds);
        report.Add(new Figure($"cold start to all healthy, one site (median of {Starts})", "s", median,
            new Anchor("its three rqlited and Syncthing started directly", floorMedian), "≤ 1.5×", median <= 1.5 * floorMedian));
        report.Add(new Figure("CPU a site's processes used by the end of its start", "s", cpu.Values.Sum(),
            new Anchor("the same, started directly", Stats.Median(floorCpu)), "report", null));
        report.Note($"Cold start: {seconds[0]:0.0} s on fresh data, then {string.Join(" s and ", seconds.Skip(1).Select(s => s.ToString("0.0")))} s restarting on it; " +
            $"started directly, {string.Join(" s, ", floorSeconds.Select(s => s.ToString("0.0")))} s. " +
            string.Join(" ", timelines.Select((timeline, i) => $"Start {i + 1}: {timeline}.")) +
            $" CPU the last start's processes had used by its end, {cpu.Values.Sum():0.0} s in all: " + string.Join(", ", cpu.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0.0} s")) + ".");
    }

    private static string Timeline(BenchStack stack) =>
        "each process started after " + string.Join(", ", stack.RunningAfter.OrderBy(r => r.Value).Select(r => $"{r.Key} {r.Value.TotalSeconds:0.0} s")) +
        "; healthy after " + string.Join(", ", stack.HealthyAfter.OrderBy(r => r.Value).Select(r => $"{r.Key} {r.Value.TotalSeconds:0.0} s"));
}
