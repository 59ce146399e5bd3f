using System.Diagnostics;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Syncthing device ID comes from its key and certificate. Generating them before the first
/// start lets the AppHost tell each site its peers' IDs up front, with no pairing step.
/// </summary>
public static class SyncthingIdentity
{
    public static string Ensure(string homeDirectory)
    {
        Directory.CreateDirectory(homeDirectory);
        if (!File.Exists(Path.Combine(homeDirectory, "cert.pem")))
        {
            Run("generate", "--home", homeDirectory, "--no-default-folder");
        }
        return Run("--device-id", "--home", homeDirectory).Trim();
    }

    private static string Run(params string[] arguments)
    {
        using var syncthing = Process.Start(new ProcessStartInfo("syncthing", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException("syncthing could not be started.");
        var output = syncthing.StandardOutput.ReadToEndAsync();
        var error = syncthing.StandardError.ReadToEndAsync();
        if (!syncthing.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            syncthing.Kill();
            throw new TimeoutException($"syncthing {string.Join(' ', arguments)} did not finish in 30 s.");
        }
        return syncthing.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"syncthing {arguments[0]} failed: {error.Result}");
    }
}
