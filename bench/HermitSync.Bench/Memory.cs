namespace HermitSync.Bench;

/// <summary>
/// What one site costs in memory: the proportional set size (PSS, shared pages split among
/// the processes that share them) of every process the site runs, and of their children.
/// </summary>
public static class Memory
{
    private const string Site = "a";

    public static void Run(BenchStack stack, Report report)
    {
        var memory = Of(stack, Site);
        report.Add(new Figure("memory of one site, all its processes (PSS)", "MiB", memory.Total, null, "report", null));
        report.Note($"Memory of site a after the measurements above ({memory.Processes} processes): {memory.PerResource}.");
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
}

public sealed record SiteMemory(double Total, int Processes, string PerResource);
