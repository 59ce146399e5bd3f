using System.Net;
using System.Net.Sockets;

namespace HermitSync.Testing;

/// <summary>Finds loopback ports nobody listens on, so parallel runs and a developer's own stack never clash.</summary>
public static class FreePorts
{
    /// <summary>A run of <paramref name="count"/> consecutive free ports (rqlite node i uses base + 2i and the next).</summary>
    public static int Consecutive(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20_000, 40_000);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }
        throw new InvalidOperationException($"No {count} consecutive free ports found on 127.0.0.1.");
    }

    public static int One() => Consecutive(1);

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
