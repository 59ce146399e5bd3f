namespace HermitSync.Bench;

/// <summary>What /proc says about a process and its descendants: memory and CPU time.</summary>
public static class Processes
{
    private static readonly double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    /// <summary>The process and every process below it.</summary>
    public static IReadOnlyList<int> Tree(int pid)
    {
        var children = Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), out var child) ? (child, parent: Stat(child)?[1]) : (child: 0, parent: null))
            .Where(p => p.parent is not null)
            .ToLookup(p => int.Parse(p.parent!), p => p.child);
        IEnumerable<int> Below(int process) => children[process].SelectMany(Below).Prepend(process);
        return Below(pid).ToArray();
    }

    /// <summary>Proportional set size: each shared page counted once, split among the processes that share it.</summary>
    public static double PssMiB(int pid) =>
        Read($"/proc/{pid}/smaps_rollup")?.Split('\n').FirstOrDefault(l => l.StartsWith("Pss:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0
            : 0;

    /// <summary>The most resident memory the process has had (VmHWM), since it started or since <see cref="ResetPeakRss"/>.</summary>
    public static double PeakRssMiB(int pid) =>
        Read($"/proc/{pid}/status")?.Split('\n').FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0
            : 0;

    /// <summary>Starts the peak over from what is resident now (writing 5 to clear_refs, see proc(5)).</summary>
    public static void ResetPeakRss(int pid) => File.WriteAllText($"/proc/{pid}/clear_refs", "5");

    /// <summary>User and system CPU time the process has used so far.</summary>
    public static double CpuSeconds(int pid) =>
        Stat(pid) is { } fields ? (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond : 0;

    /// <summary>/proc/PID/stat from its fourth field (the parent) on; the command name before it may hold spaces.</summary>
    private static string[]? Stat(int pid) =>
        Read($"/proc/{pid}/stat") is { } stat ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ') : null;

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
