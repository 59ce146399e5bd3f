using System.Globalization;

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>
/// One process as /proc shows it. <see cref="StartTicks"/> (clock ticks after boot) tells it
/// apart from a later process that happens to get the same PID.
/// </summary>
public sealed record ProcessEntry(int Pid, int Parent, long StartTicks, string CommandLine)
{
    public string Program => CommandLine.Split(' ', 2)[0];
}

/// <summary>Reads /proc: which processes run, what started them and what is on their command lines.</summary>
public static class ProcessTable
{
    /// <summary>Every live process, this test run's own included; zombies are dead and left out.</summary>
    public static IReadOnlyList<ProcessEntry> All()
    {
        var processes = new List<ProcessEntry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Read(pid) is { } process)
            {
                processes.Add(process);
            }
        }
        return processes;
    }

    /// <summary>The process with this PID, or null when none runs.</summary>
    public static ProcessEntry? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name in parentheses may hold spaces; the fields after it do not.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] is "Z" or "X")
            {
                return null;
            }
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').TrimEnd();
            return new ProcessEntry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), long.Parse(fields[19], CultureInfo.InvariantCulture), commandLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether this very process still runs: the same PID, started at the same moment.</summary>
    public static bool IsRunning(ProcessEntry process) => Read(process.Pid) is { } now && now.StartTicks == process.StartTicks;

    /// <summary>
    /// <paramref name="root"/> and every process it started, including those DCP runs: DCP
    /// detaches from its parent but names the process it serves in <c>--monitor</c>.
    /// </summary>
    public static IReadOnlyList<ProcessEntry> Tree(int root, IReadOnlyList<ProcessEntry> all)
    {
        var tree = all.Where(p => p.Pid == root).ToList();
        var members = tree.Select(p => p.Pid).ToHashSet();
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var process in all.Where(p => !members.Contains(p.Pid)))
            {
                if (members.Contains(process.Parent) || members.Any(member => $"{process.CommandLine} ".Contains($"--monitor {member} ", StringComparison.Ordinal)))
                {
                    members.Add(process.Pid);
                    tree.Add(process);
                    grew = true;
                }
            }
        }
        return tree;
    }

    /// <summary>PIDs whose command line mentions <paramref name="text"/>, such as a test's own temporary directory.</summary>
    public static IReadOnlyList<int> Mentioning(string text) =>
        All().Where(p => p.Pid != Environment.ProcessId && p.CommandLine.Contains(text, StringComparison.Ordinal)).Select(p => p.Pid).ToArray();

    /// <summary>Waits until no process mentions <paramref name="text"/>, or the timeout passes; returns those left.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilNoneMentionAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = Mentioning(text);
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }
            await Task.Delay(250);
        }
    }
}
