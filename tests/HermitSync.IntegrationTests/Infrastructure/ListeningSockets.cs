using System.Globalization;
using System.Net;

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>The sockets a process tree listens on, read from /proc: what <c>ss -ltnup</c> would show.</summary>
public static class ListeningSockets
{
    public sealed record Socket(string Protocol, IPAddress Address, int Port, int Pid, string Command);

    /// <summary>
    /// TCP sockets in LISTEN and bound UDP sockets of <paramref name="root"/> and every process
    /// it started, including those DCP runs: DCP detaches from its parent but names the process
    /// it serves in <c>--monitor</c>.
    /// </summary>
    public static IReadOnlyList<Socket> OfProcessTree(int root)
    {
        var owners = new Dictionary<string, (int Pid, string Command)>();
        foreach (var process in ProcessTable.Tree(root, ProcessTable.All()))
        {
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{process.Pid}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                    {
                        owners[target[8..^1]] = (process.Pid, process.CommandLine);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        var sockets = new List<Socket>();
        foreach (var (file, protocol, listening) in new[] { ("tcp", "tcp", "0A"), ("tcp6", "tcp6", "0A"), ("udp", "udp", "07"), ("udp6", "udp6", "07") })
        {
            foreach (var line in File.ReadLines($"/proc/net/{file}").Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] != listening || !owners.TryGetValue(fields[9], out var owner))
                {
                    continue;
                }
                var (address, port) = Parse(fields[1]);
                sockets.Add(new Socket(protocol, address, port, owner.Pid, owner.Command));
            }
        }
        return sockets;
    }

    /// <summary>/proc/net writes addresses as little-endian 32-bit words in hex, then the port.</summary>
    private static (IPAddress Address, int Port) Parse(string field)
    {
        var (hex, port) = (field.Split(':')[0], int.Parse(field.Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var bytes = Convert.FromHexString(hex);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            Array.Reverse(bytes, word, 4);
        }
        return (new IPAddress(bytes), port);
    }
}
