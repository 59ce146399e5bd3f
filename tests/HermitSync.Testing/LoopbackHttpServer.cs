using System.Net;

namespace HermitSync.Testing;

/// <summary>
/// An HTTP server on a free port of 127.0.0.1 that hands each request to a handler, one at a
/// time: a stand-in for something the stack or a browser talks to. Disposing it stops it.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();

    public LoopbackHttpServer(Func<HttpListenerContext, Task> handle)
    {
        Address = new Uri($"http://127.0.0.1:{FreePorts.One()}/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _ = Task.Run(() => ServeAsync(handle));
    }

    public Uri Address { get; }

    private async Task ServeAsync(Func<HttpListenerContext, Task> handle)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            await handle(context);
        }
    }

    public void Dispose() => _listener.Close();
}
