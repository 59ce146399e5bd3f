namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>Reads /proc to find processes by what is on their command line.</summary>
public static class ProcessTable
{
    /// <summary>PIDs whose command line mentions <paramref name="text"/>, such as a test's own temporary directory.</summary>
    public static IReadOnlyList<int> Mentioning(string text)
    {
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    /// <summary>Waits until no process mentions <paramref name="text"/>, or the timeout passes.</summary>
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
