using System.Runtime.InteropServices;

namespace HermitSync.Testing.Hosts;

/// <summary>Signals sent by PID, or to one process group: never by name.</summary>
public static class Signals
{
    private const int Interrupt = 2;
    private const int KillSignal = 9;

    /// <summary>What Ctrl+C does in a terminal: SIGINT to every process of the group.</summary>
    public static void InterruptGroup(int processGroup) => _ = kill(-processGroup, Interrupt);

    public static void Kill(int pid) => _ = kill(pid, KillSignal);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
