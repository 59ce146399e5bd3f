using System.Diagnostics;
using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Syncthing device ID comes from its key and certificate. Generating them before the first
/// start lets the AppHost tell each site its peers' IDs up front, with no pairing step. That
/// takes the local binary and a home that lasts, so it is for the executable form with a data directory.
/// </summary>
public static class SyncthingIdentity
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    public static string Ensure(ISyncthingResource syncthing)
    {
        if (syncthing is not SyncthingExecutableResource { Settings.HomeDirectory: { } home } executable)
        {
            throw new InvalidOperationException($"'{syncthing.Name}' needs RunAsExecutable and WithDataDirectory for its device ID to be known before it starts.");
        }
        OwnerOnly.CreateDirectory(home);
        if (!File.Exists(Path.Combine(home, "cert.pem")))
        {
            Run(executable.Command, "generate", "--home", home, "--no-default-folder");
        }
        return Run(executable.Command, "serve", "--device-id", "--home", home).Trim();
    }

    private static string Run(string command, params string[] arguments)
    {
        using var syncthing = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{command} could not be started.");
        var output = syncthing.StandardOutput.ReadToEndAsync();
        var error = syncthing.StandardError.ReadToEndAsync();
        if (!syncthing.WaitForExit(CommandTimeout))
        {
            syncthing.Kill();
            throw new TimeoutException($"syncthing {string.Join(' ', arguments)} did not finish in {CommandTimeout.TotalSeconds:0} s.");
        }
        return syncthing.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"syncthing {arguments[0]} failed: {error.Result}");
    }
}
