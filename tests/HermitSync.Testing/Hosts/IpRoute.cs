using System.Diagnostics;

namespace HermitSync.Testing.Hosts;

/// <summary>iproute2's <c>ip</c>, run to completion; a failure throws with what it printed.</summary>
public static class IpRoute
{
    public static string Run(params string[] arguments)
    {
        const string tool = "ip";
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill();
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish within 30 s");
        }
        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {errors.Result.Trim()}");
    }
}
