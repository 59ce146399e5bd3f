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
        var processes = stack.ProcessIds(Site)
            .SelectMany(resource => Processes.Tree(resource.Value).Select(pid => (Resource: resource.Key, Pid: pid, MiB: Processes.PssMiB(pid))))
            .ToArray();
        var perResource = processes.GroupBy(p => p.Resource).ToDictionary(g => g.Key, g => g.Sum(p => p.MiB));
        var launchers = processes.Where(p => Processes.IsDotnetLauncher(p.Pid)).Sum(p => p.MiB);
        report.Add(new Figure("memory of one site, all its processes (PSS)", "MiB", perResource.Values.Sum(), null, "report", null));
        report.Note($"Memory of site a after the measurements above ({processes.Length} processes): " +
            string.Join(", ", perResource.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0}")) +
            $" MiB; of the total, {launchers:0} MiB are the `dotnet run` launchers Aspire keeps as the projects' parents in development.");
    }
}
