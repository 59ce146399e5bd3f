using HermitSync.Testing;

namespace HermitSync.Bench;

/// <summary>
/// One site, as `./hermit run` starts it, from creating the AppHost to every resource healthy,
/// with the build already warm: first on fresh data (the cluster bootstraps, Syncthing makes
/// its identity), then restarted on the same data.
/// </summary>
public static class ColdStart
{
    private const int Starts = 3;

    public static async Task RunAsync(Report report)
    {
        Console.WriteLine($"Cold start: one site, {Starts} starts");
        var settings = new StackSettings(sites: 1);
        var seconds = new List<double>();
        IReadOnlyDictionary<string, TimeSpan> lastStart = new Dictionary<string, TimeSpan>();
        IReadOnlyDictionary<string, double> cpu = new Dictionary<string, double>();
        var launchersCpu = 0.0;
        try
        {
            for (var i = 0; i < Starts; i++)
            {
                await using var stack = await BenchStack.StartAsync(settings);
                seconds.Add(stack.StartupTime.TotalSeconds);
                lastStart = stack.HealthyAfter;
                cpu = stack.CpuSeconds("");
                launchersCpu = stack.ProcessIds("").Values.SelectMany(Processes.Tree).Where(Processes.IsDotnetLauncher).Sum(Processes.CpuSeconds);
            }
        }
        finally
        {
            settings.DeleteData();
        }
        var median = Stats.Median(seconds);
        report.Add(new Figure($"cold start to all healthy, one site (median of {Starts})", "s", median, null, "≤ 30 s", median <= 30));
        report.Note($"Cold start: {seconds[0]:0.0} s on fresh data, then {string.Join(" s and ", seconds.Skip(1).Select(s => s.ToString("0.0")))} s restarting on it. " +
            "Healthy after, in the last start: " + string.Join(", ", lastStart.OrderBy(r => r.Value).Select(r => $"{r.Key} {r.Value.TotalSeconds:0.0} s")) +
            $"; CPU they had used by then, {cpu.Values.Sum():0.0} s in all: " + string.Join(", ", cpu.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0.0} s")) +
            $", of which the `dotnet run` launchers Aspire starts projects through {launchersCpu:0.0} s.");
    }
}
