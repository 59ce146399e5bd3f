using System.Runtime.InteropServices;

namespace HermitSync.Testing.Hosts;

/// <summary>Signals sent by PID, or to one process group: never by name.</summary>
public static class Signals
{
    private const int KillSignal = 9;
    private const int Terminate = 15;

    /// <summary>
    /// SIGTERM to every process of the group, as a service manager stops a service. Not SIGINT: a
    /// process started in the background of a non-interactive shell, as CI may start the tests,
    /// inherits SIGINT ignored, and so does everything it starts.
    /// </summary>
    public static void TerminateGroup(int processGroup) => _ = kill(-processGroup, Terminate);

    public static void Kill(int pid) => _ = kill(pid, KillSignal);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
