using System.Net;
using System.Net.Sockets;

namespace HermitSync.Testing;

/// <summary>
/// Finds loopback ports nobody listens on, so parallel runs and a developer's own stack never
/// clash. They lie below the kernel's range for outgoing connections: a port picked in it can be
/// taken by any connection made before the process meant to listen on it starts. A port is handed
/// out once per process: picks not yet listened on are free to the kernel, and a stack's rqlite
/// nodes, Syncthing and web app must not be given the same one.
/// </summary>
public static class FreePorts
{
    private const int Lowest = 10_000;

    /// <summary>Where the kernel starts handing out ports to outgoing connections (Linux's default is 32768).</summary>
    private static readonly int EphemeralStart = ReadEphemeralStart();

    private static readonly HashSet<int> HandedOut = [];

    private static readonly Lock Gate = new();

    /// <summary>A run of <paramref name="count"/> consecutive free ports (rqlite node i uses base + 2i and the next).</summary>
    public static int Consecutive(int count)
    {
        lock (Gate)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var ports = Enumerable.Range(Random.Shared.Next(Lowest, EphemeralStart - count), count).ToArray();
                if (ports.All(port => !HandedOut.Contains(port) && IsFree(port)))
                {
                    HandedOut.UnionWith(ports);
                    return ports[0];
                }
            }
        }
        throw new InvalidOperationException($"No {count} consecutive free ports found on 127.0.0.1.");
    }

    public static int One() => Consecutive(1);

    private static int ReadEphemeralStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > Lowest + 1_000
            ? start
            : 32_768;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
