using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace HermitSync.Bench;

/// <summary>The machine and the moment a run was made on: figures mean little without them.</summary>
public sealed record MachineFacts(string Date, string Commit, string Cpu, int Cores, double MemoryGiB, string Os, string Dotnet, string LoadAverage)
{
    [JsonIgnore]
    public string Summary =>
        $"{Cores} cores ({Cpu}), {MemoryGiB:0.#} GiB, {Os}, {Dotnet}; load average {LoadAverage} at the start; commit {Commit}, {Date}";

    public static MachineFacts Read(string repository) => new(
        DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'"),
        DescribeCommit(repository),
        ProcLine("/proc/cpuinfo", "model name")?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024), 1),
        ProcLine("/etc/os-release", "PRETTY_NAME=")?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown");

    private static string? ProcLine(string file, string prefix) =>
        File.Exists(file) ? File.ReadLines(file).FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal)) : null;

    private static string DescribeCommit(string repository)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", repository, "describe", "--always", "--dirty"]) { RedirectStandardOutput = true })!;
            var commit = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
