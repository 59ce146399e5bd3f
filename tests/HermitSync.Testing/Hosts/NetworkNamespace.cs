using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace HermitSync.Testing.Hosts;

/// <summary>
/// A Linux network namespace made by <c>ip netns add</c>: a host of its own, with its own
/// loopback and only the links a test gives it. The test reaches into it through sockets made
/// on a thread that joined it (<see cref="ConnectAsync"/>); a socket stays in the namespace it was
/// made in, whichever thread uses it later. Disposing it kills, by PID, whatever still runs inside
/// and deletes it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NetworkNamespace : IDisposable
{
    private const int CloneNewNet = 0x40000000;

    private readonly BlockingCollection<Action> _work = [];
    private Exception? _joinFailure;

    private NetworkNamespace(string name)
    {
        Name = name;
        new Thread(RunInside) { IsBackground = true, Name = $"netns {name}" }.Start();
    }

    public string Name { get; }

    /// <summary>Makes a namespace with its loopback up.</summary>
    public static NetworkNamespace Create(string name)
    {
        Tools.Ip("netns", "add", name);
        try
        {
            Tools.Ip("-n", name, "link", "set", "lo", "up");
            return new NetworkNamespace(name);
        }
        catch
        {
            Tools.Ip("netns", "delete", name);
            throw;
        }
    }

    /// <summary>A namespace that exists already, to reach into or to remove.</summary>
    public static NetworkNamespace Open(string name) => new(name);

    /// <summary>Runs <c>ip</c> in the namespace, e.g. <c>link set eth0 down</c>.</summary>
    public void Ip(params string[] arguments) => Tools.Ip(["-n", Name, .. arguments]);

    /// <summary>Runs a command in the namespace and returns its output.</summary>
    public string Exec(params string[] command) => Tools.Ip(["netns", "exec", Name, .. command]);

    /// <summary>The processes that run in the namespace.</summary>
    public IReadOnlyList<int> Pids() =>
        Tools.Ip("netns", "pids", Name).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

    /// <summary>Runs <paramref name="work"/> on a thread inside the namespace: what it makes there, such as a socket, stays there.</summary>
    public Task<T> InsideAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                done.SetResult(_joinFailure is null ? work() : throw _joinFailure);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>A TCP connection from inside the namespace, for <see cref="SocketsHttpHandler.ConnectCallback"/>.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = await InsideAsync(() => new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }).WaitAsync(cancellationToken);
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP handler whose connections start inside the namespace.</summary>
    public SocketsHttpHandler Handler() => new() { ConnectCallback = ConnectAsync, AllowAutoRedirect = false };

    private void RunInside()
    {
        // Only this thread joins; the test's other threads stay in the host's own namespace.
        using (var handle = File.OpenHandle($"/var/run/netns/{Name}"))
        {
            if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
            {
                _joinFailure = new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        foreach (var work in _work.GetConsumingEnumerable())
        {
            work();
        }
    }

    /// <summary>Kills what still runs inside, by PID, and deletes the namespace.</summary>
    public void Dispose()
    {
        _work.CompleteAdding();
        for (var attempt = 0; attempt < 20 && Pids() is { Count: > 0 } pids; attempt++)
        {
            foreach (var pid in pids)
            {
                Signals.Kill(pid);
            }
            Thread.Sleep(250);
        }
        Tools.Ip("netns", "delete", Name);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
