using System.Diagnostics;

namespace HermitSync.AppHost.Site;

/// <summary>
/// How infrastructure runs: as containers, the design card's form, or as local executables.
/// It must be decided before <c>Build()</c>: a model holding any container cannot start
/// without a container runtime.
/// </summary>
public enum RuntimeMode { Executable, Container }

public static class RuntimeModeResolver
{
    public static RuntimeMode Resolve(string? configured) => configured?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => DockerEngineAnswers() ? RuntimeMode.Container : RuntimeMode.Executable,
        "container" => RuntimeMode.Container,
        "executable" => RuntimeMode.Executable,
        _ => throw new InvalidOperationException($"HermitSync:Runtime is '{configured}'; use auto, container or executable."),
    };

    /// <summary>A docker CLI alone is not enough: the engine behind it has to answer.</summary>
    private static bool DockerEngineAnswers()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", ["version", "--format", "{{.Server.Version}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (docker is null)
            {
                return false;
            }
            if (!docker.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                docker.Kill();
                return false;
            }
            return docker.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
