using System.Net;
using System.Runtime.Versioning;

namespace HermitSync.Testing.Hosts;

/// <summary>A machine on the test's network: its namespace and its one address.</summary>
[SupportedOSPlatform("linux")]
public sealed record NetworkHost(string Name, NetworkNamespace Namespace, IPAddress Address)
{
    /// <summary>The host's link to the switch, as seen from inside it.</summary>
    public const string Link = "eth0";

    /// <summary>Every address the host's link has: its IPv4 address, and the IPv6 link-local one the kernel gave it.</summary>
    public IReadOnlyList<IPAddress> LinkAddresses() =>
        Namespace.Exec("ip", "-o", "addr", "show", "dev", Link).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => IPAddress.Parse(fields[Array.IndexOf(fields, fields.First(f => f is "inet" or "inet6")) + 1].Split('/')[0]))
            .ToArray();
}

/// <summary>What netem does to the packets one host sends another: <see cref="Impairment"/>.</summary>
public sealed record NetemProfile(TimeSpan Delay, TimeSpan Jitter, double LossPercent)
{
    /// <summary>The bad network: 100 ms delay, 20 ms jitter, 2 % loss.</summary>
    public static NetemProfile Bad { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(20), 2);

    public override string ToString() => $"{Delay.TotalMilliseconds:0} ms delay, {Jitter.TotalMilliseconds:0} ms jitter, {LossPercent:0.##} % loss";
}

/// <summary>
/// A LAN of separate hosts, each a network namespace joined by a veth pair to one bridge in a
/// namespace of its own. The addresses (10.203.0.0/24) exist only inside these namespaces and
/// nothing routes out: a host reaches the other hosts and nothing else. Disposing it removes every
/// namespace and link it made, and kills by PID whatever still runs in them.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostNetwork : IDisposable
{
    private const string Bridge = "br0";

    private const string Prefix = "hermit-";

    private static int _networks;

    // Names carry the test process's id, so a run never meets another's namespaces, and one whose process is gone can be swept.
    private readonly string _mark = $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _networks)}";
    private readonly NetworkNamespace _switch;
    private readonly List<NetworkHost> _hosts = [];

    public HostNetwork()
    {
        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("The multi-host tests make network namespaces, which needs root: run them as root, as CI does.");
        }
        RemoveLeftovers();
        _switch = NetworkNamespace.Create($"{_mark}-lan");
        try
        {
            _switch.Ip("link", "add", Bridge, "type", "bridge");
            _switch.Ip("link", "set", Bridge, "up");
        }
        catch
        {
            _switch.Dispose();
            throw;
        }
    }

    public IReadOnlyList<NetworkHost> Hosts => _hosts;

    /// <summary>Adds a host: a namespace, a veth pair from it to the bridge, and the next address.</summary>
    public NetworkHost AddHost(string name)
    {
        var host = new NetworkHost(name, NetworkNamespace.Create($"{_mark}-{name}"), IPAddress.Parse($"10.203.0.{_hosts.Count + 1}"));
        _hosts.Add(host);
        var port = $"port-{name}";
        _switch.Ip("link", "add", "name", port, "type", "veth", "peer", "name", NetworkHost.Link, "netns", host.Namespace.Name);
        _switch.Ip("link", "set", port, "master", Bridge);
        _switch.Ip("link", "set", port, "up");
        host.Namespace.Ip("addr", "add", $"{host.Address}/24", "dev", NetworkHost.Link);
        host.Namespace.Ip("link", "set", NetworkHost.Link, "up");
        return host;
    }

    /// <summary>Takes the host's link down: <c>ip link set eth0 down</c> inside it.</summary>
    public static void Disconnect(NetworkHost host) => host.Namespace.Ip("link", "set", NetworkHost.Link, "down");

    public static void Reconnect(NetworkHost host) => host.Namespace.Ip("link", "set", NetworkHost.Link, "up");

    /// <summary>Applies <paramref name="profile"/> to what <paramref name="host"/> sends the hosts <paramref name="toward"/>, and to nothing else, until disposed.</summary>
    public static Task<Impairment> ImpairAsync(NetworkHost host, NetemProfile profile, params NetworkHost[] toward) =>
        Impairment.StartAsync(host.Namespace, profile, toward.Select(peer => peer.Address));

    /// <summary>
    /// Removes the namespaces of runs whose process is gone, such as one killed before it could
    /// clean up, with whatever still runs in them.
    /// </summary>
    private static void RemoveLeftovers()
    {
        foreach (var name in Tools.Ip("netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]))
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && int.TryParse(name[Prefix.Length..].Split('-')[0], out var owner) && !Directory.Exists($"/proc/{owner}"))
            {
                NetworkNamespace.Open(name).Dispose();
            }
        }
    }

    public void Dispose()
    {
        var failures = new List<Exception>();
        foreach (var space in _hosts.Select(host => host.Namespace).Append(_switch))
        {
            try
            {
                space.Dispose();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("The test network was not removed whole.", failures);
        }
    }
}
