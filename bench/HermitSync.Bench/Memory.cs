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
        var children = ChildrenOfEachProcess();
        var processes = stack.ProcessIds(Site)
            .SelectMany(resource => Tree(resource.Value, children).Select(pid => (Resource: resource.Key, Pid: pid, MiB: PssKiB(pid) / 1024.0)))
            .ToArray();
        var perResource = processes.GroupBy(p => p.Resource).ToDictionary(g => g.Key, g => g.Sum(p => p.MiB));
        // In development Aspire starts each project through `dotnet run`, which stays as the project's parent.
        var launchers = processes.Where(p => IsDotnetHost(p.Pid)).Sum(p => p.MiB);
        report.Add(new Figure("memory of one site, all its processes (PSS)", "MiB", perResource.Values.Sum(), null, "report", null));
        report.Note($"Memory of site a after the measurements above ({processes.Length} processes): " +
            string.Join(", ", perResource.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:0}")) +
            $" MiB; of the total, {launchers:0} MiB are the `dotnet run` launchers Aspire keeps as the projects' parents in development.");
    }

    private static bool IsDotnetHost(int pid) => File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "dotnet";

    private static IEnumerable<int> Tree(int pid, ILookup<int, int> children) =>
        children[pid].SelectMany(child => Tree(child, children)).Prepend(pid);

    private static ILookup<int, int> ChildrenOfEachProcess() =>
        Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), out var pid) ? (pid, parent: ParentOf(pid)) : (pid: 0, parent: 0))
            .Where(p => p.pid > 0 && p.parent > 0)
            .ToLookup(p => p.parent, p => p.pid);

    /// <summary>The fourth field of /proc/PID/stat, after the command name in parentheses, which may itself hold spaces.</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long PssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").First(l => l.StartsWith("Pss:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
