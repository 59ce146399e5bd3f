using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HermitSync.Testing.Hosts;

/// <summary>
/// What <c>tc netem</c> does to the packets a host sends some peers, done in user space, since
/// the kernels this runs on may lack <c>sch_netem</c> (this machine's does). An iptables rule in
/// the host's namespace hands each such packet to an NFQUEUE; this holds it for the profile's
/// delay, plus or minus its jitter (uniform, as netem's default), and then lets it go, or drops
/// it with the profile's loss. Later packets may overtake earlier ones, as under netem.
/// Disposing removes the rules first, then stops.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class Impairment : IDisposable
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int NetlinkNetfilter = 12;
    private const int SolSocket = 1;
    private const int SoRcvTimeo = 20;
    private const ushort QueueSubsystem = 3 << 8;
    private const ushort PacketMessage = QueueSubsystem | 0;
    private const ushort VerdictMessage = QueueSubsystem | 1;
    private const ushort ConfigMessage = QueueSubsystem | 2;
    private const ushort NetlinkError = 2;
    private const ushort Request = 1;
    private const ushort Acknowledge = 4;
    private const uint Drop = 0;
    private const uint Accept = 1;
    private const ushort QueueNumber = 0;

    private readonly NetworkNamespace _host;
    private readonly NetemProfile _profile;
    private readonly string[] _destinations;
    private readonly int _socket;
    private readonly PriorityQueue<uint, long> _held = new();
    private readonly Thread _reader;
    private readonly Thread _releaser;
    private volatile bool _stopping;

    private Impairment(NetworkNamespace host, NetemProfile profile, string[] destinations, int socket)
    {
        (_host, _profile, _destinations, _socket) = (host, profile, destinations, socket);
        _reader = new Thread(Read) { IsBackground = true, Name = $"netem {host.Name} read" };
        _releaser = new Thread(Release) { IsBackground = true, Name = $"netem {host.Name} release" };
        _reader.Start();
        _releaser.Start();
    }

    /// <summary>Impairs what <paramref name="host"/> sends to <paramref name="toward"/> until disposed.</summary>
    public static async Task<Impairment> StartAsync(NetworkNamespace host, NetemProfile profile, IEnumerable<IPAddress> toward)
    {
        // The queue belongs to the namespace its socket is made in.
        var socket = await host.InsideAsync(() => Bind(host.Name));
        var destinations = toward.Select(address => address.ToString()).ToArray();
        var impairment = new Impairment(host, profile, destinations, socket);
        try
        {
            foreach (var destination in destinations)
            {
                host.Exec("iptables", "-A", "OUTPUT", "-d", destination, "-j", "NFQUEUE", "--queue-num", $"{QueueNumber}");
            }
            return impairment;
        }
        catch
        {
            impairment.Dispose();
            throw;
        }
    }

    private static int Bind(string host)
    {
        var socket = socket_(AfNetlink, SockRaw, NetlinkNetfilter);
        if (socket < 0)
        {
            throw new InvalidOperationException($"No netfilter netlink socket in {host}: errno {Marshal.GetLastPInvokeError()}");
        }
        var address = new byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(address, AfNetlink);
        var timeout = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(timeout.AsSpan(8), 200_000);
        if (bind(socket, address, address.Length) != 0 || setsockopt(socket, SolSocket, SoRcvTimeo, timeout, timeout.Length) != 0)
        {
            close(socket);
            throw new InvalidOperationException($"Binding the netfilter socket in {host} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        // Bind queue 0 for IPv4, hand over only the packet's id (no payload), and let it hold many.
        Configure(socket, host, Attribute(1, [1, 0, 0, 2]));
        Configure(socket, host, Attribute(2, [0, 0, 0, 0, 1]));
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, 65_536);
        Configure(socket, host, Attribute(3, length));
        return socket;
    }

    private static void Configure(int socket, string host, byte[] attribute)
    {
        Send(socket, Message(ConfigMessage, Request | Acknowledge, attribute));
        var answer = new byte[4096];
        var read = recv(socket, answer, answer.Length, 0);
        var error = read >= 20 && BinaryPrimitives.ReadUInt16LittleEndian(answer.AsSpan(4)) == NetlinkError ? BinaryPrimitives.ReadInt32LittleEndian(answer.AsSpan(16)) : -1;
        if (error != 0)
        {
            close(socket);
            throw new InvalidOperationException($"Configuring NFQUEUE {QueueNumber} in {host} failed: {error}");
        }
    }

    private void Read()
    {
        var buffer = new byte[65_536];
        while (!_stopping)
        {
            var read = (int)recv(_socket, buffer, buffer.Length, 0);
            for (var at = 0; read > 0 && at + 16 <= read;)
            {
                var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
                if (length < 16)
                {
                    break;
                }
                if (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(at + 4)) == PacketMessage && PacketId(buffer.AsSpan(at + 20, length - 20)) is { } id)
                {
                    Hold(id);
                }
                at += Align(length);
            }
        }
    }

    private void Hold(uint id)
    {
        if (Random.Shared.NextDouble() * 100 < _profile.LossPercent)
        {
            Send(_socket, Verdict(id, Drop));
            return;
        }
        var jitter = (Random.Shared.NextDouble() * 2 - 1) * _profile.Jitter.TotalMilliseconds;
        var due = Environment.TickCount64 + (long)(_profile.Delay.TotalMilliseconds + jitter);
        lock (_held)
        {
            _held.Enqueue(id, due);
            Monitor.Pulse(_held);
        }
    }

    private void Release()
    {
        while (true)
        {
            uint id;
            lock (_held)
            {
                while (true)
                {
                    if (_stopping && _held.Count == 0)
                    {
                        return;
                    }
                    if (_held.TryPeek(out id, out var due))
                    {
                        var wait = due - Environment.TickCount64;
                        if (wait <= 0 || _stopping)
                        {
                            _held.Dequeue();
                            break;
                        }
                        Monitor.Wait(_held, (int)wait);
                    }
                    else
                    {
                        Monitor.Wait(_held, 200);
                    }
                }
            }
            Send(_socket, Verdict(id, Accept));
        }
    }

    /// <summary>The id in a queued packet's NFQA_PACKET_HDR attribute.</summary>
    private static uint? PacketId(ReadOnlySpan<byte> attributes)
    {
        while (attributes.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(attributes);
            if (length < 4 || length > attributes.Length)
            {
                return null;
            }
            if ((BinaryPrimitives.ReadUInt16LittleEndian(attributes[2..]) & 0x3fff) == 1 && length >= 8)
            {
                return BinaryPrimitives.ReadUInt32BigEndian(attributes[4..]);
            }
            attributes = attributes[Math.Min(Align(length), attributes.Length)..];
        }
        return null;
    }

    private static byte[] Verdict(uint id, uint verdict)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, verdict);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), id);
        return Message(VerdictMessage, Request, Attribute(2, header));
    }

    private static byte[] Attribute(ushort type, byte[] payload)
    {
        var attribute = new byte[Align(4 + payload.Length)];
        BinaryPrimitives.WriteUInt16LittleEndian(attribute, (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(attribute.AsSpan(2), type);
        payload.CopyTo(attribute, 4);
        return attribute;
    }

    /// <summary>A netlink message for the queue: its header, the nfgenmsg naming queue 0, and one attribute.</summary>
    private static byte[] Message(ushort type, ushort flags, byte[] attribute)
    {
        var message = new byte[20 + attribute.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(message, (uint)message.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(message.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(18), QueueNumber);
        attribute.CopyTo(message, 20);
        return message;
    }

    private static int Align(int length) => (length + 3) & ~3;

    private static void Send(int socket, byte[] message) => _ = send(socket, message, message.Length, 0);

    public void Dispose()
    {
        foreach (var destination in _destinations)
        {
            try
            {
                _host.Exec("iptables", "-D", "OUTPUT", "-d", destination, "-j", "NFQUEUE", "--queue-num", $"{QueueNumber}");
            }
            catch (InvalidOperationException)
            {
                // The rule was never added: StartAsync failed before it.
            }
        }
        _stopping = true;
        lock (_held)
        {
            Monitor.Pulse(_held);
        }
        _reader.Join();
        _releaser.Join();
        close(_socket);
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int socket_(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int bind(int socket, byte[] address, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int socket, int level, int name, byte[] value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint send(int socket, byte[] buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int socket, byte[] buffer, nint length, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int socket);
}
