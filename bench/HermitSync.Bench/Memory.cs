namespace HermitSync.Bench;

/// <summary>
/// What one site costs while nobody uses it: the proportional set size (PSS, shared pages split
/// among the processes that share them) of every process the site runs, and of their children,
/// and the CPU they use meanwhile, which on a laptop is battery.
/// </summary>
public static class Memory
{
    private const string Site = "a";
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(30);

    /// <summary>Issue 21's bound on one idle site.</summary>
    private const double TargetMiB = 400;

    // Long enough for the work of the figures before to end, such as their files' export, and
    // for the services to hand back what that work left (IdleMemoryTrim looks every 10 s).
    private static readonly TimeSpan QuietBefore = TimeSpan.FromSeconds(30);

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        var busy = Of(stack, Site);
        report.Add(new Figure("memory of one site just after the figures before, all its processes (PSS)", "MiB", busy.Total, null, "report", null));
        report.Note($"Memory of site a just after the measurements above ({busy.Processes} processes): {busy.PerResource}.");

        await Task.Delay(QuietBefore);
        var idle = Of(stack, Site);
        report.Add(new Figure($"memory of one site, idle {QuietBefore.TotalSeconds:0} s after them (PSS)", "MiB", idle.Total, null, $"≤ {TargetMiB:0} MiB", idle.Total <= TargetMiB));
        report.Note($"Memory of site a idle {QuietBefore.TotalSeconds:0} s later: {idle.PerResource}.");

        var before = CpuSeconds(stack);
        await Task.Delay(IdleWindow);
        var used = CpuSeconds(stack).ToDictionary(r => r.Key, r => (r.Value - before.GetValueOrDefault(r.Key)) * TimeSpan.FromMinutes(1) / IdleWindow);
        report.Add(new Figure("CPU one site used while idle, per minute", "s", used.Values.Sum(), null, "report", null));
        report.Note($"Idle CPU of site a, seconds per minute over {IdleWindow.TotalSeconds:0} s with no requests, from {QuietBefore.TotalSeconds:0} s after the figures before, its sync passphrase set and paired with b: "
            + string.Join(", ", used.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0.00}")) + ".");
    }

    /// <summary>A site's memory now: in all, and each resource's (largest first, in MiB).</summary>
    public static SiteMemory Of(BenchStack stack, string site)
    {
        var processes = stack.ProcessIds(site)
            .SelectMany(resource => Processes.Tree(resource.Value).Select(pid => (Resource: resource.Key, Pid: pid, MiB: Processes.PssMiB(pid))))
            .ToArray();
        var perResource = processes.GroupBy(p => p.Resource).ToDictionary(g => g.Key, g => g.Sum(p => p.MiB));
        return new SiteMemory(
            perResource.Values.Sum(),
            processes.Length,
            string.Join(", ", perResource.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0}")) + " MiB");
    }

    private static Dictionary<string, double> CpuSeconds(BenchStack stack) =>
        stack.ProcessIds(Site).ToDictionary(r => r.Key, r => Processes.Tree(r.Value).Sum(Processes.CpuSeconds));
}

public sealed record SiteMemory(double Total, int Processes, string PerResource);
