using System.Collections.Concurrent;
using System.Net;
using HermitSync.Testing;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with a word and remembers its path:
/// where a note points its images and links, to count what a browser fetches.
/// </summary>
public sealed class HitCounter : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly Task _serving;

    public HitCounter()
    {
        Address = new Uri($"http://127.0.0.1:{FreePorts.One()}/");
        _listener.Prefixes.Add(Address.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Address { get; }

    public IReadOnlyCollection<string> Paths => _paths;

    private async Task ServeAsync()
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
            _paths.Enqueue(context.Request.RawUrl ?? "");
            context.Response.ContentType = "text/plain";
            context.Response.Close("counted"u8.ToArray(), willBlock: false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
