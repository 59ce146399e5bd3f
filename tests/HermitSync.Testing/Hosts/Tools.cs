using System.Diagnostics;

namespace HermitSync.Testing.Hosts;

/// <summary>Commands the harness runs to completion: iproute2's <c>ip</c> and iptables.</summary>
public static class Tools
{
    private static readonly TimeSpan IpPatience = TimeSpan.FromSeconds(30);

    public static string Ip(params string[] arguments) => Run(Start("ip", arguments), $"ip {string.Join(' ', arguments)}", IpPatience);

    public static ProcessStartInfo Start(string program, params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return start;
    }

    /// <summary>
    /// Runs a command to completion and returns what it printed; a failure or a timeout throws,
    /// naming the command as <paramref name="described"/> (which leaves out any secret it was given).
    /// </summary>
    public static string Run(ProcessStartInfo start, string described, TimeSpan patience)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(patience))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{described} did not finish within {patience.TotalSeconds:0} s");
        }
        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"{described} failed ({process.ExitCode}): {output.Result}{errors.Result.Trim()}");
    }
}
