using System.Collections.Concurrent;
using System.Net;
using HermitSync.Testing;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>
/// An HTTP server on 127.0.0.1 that answers every request with a word and remembers its path:
/// where a note points its images and links, to count what a browser fetches.
/// </summary>
public sealed class HitCounter : IDisposable
{
    private readonly ConcurrentQueue<string> _paths = new();
    private readonly LoopbackHttpServer _server;

    public HitCounter() => _server = new LoopbackHttpServer(CountAsync);

    public Uri Address => _server.Address;

    public IReadOnlyCollection<string> Paths => _paths;

    private Task CountAsync(HttpListenerContext context)
    {
        _paths.Enqueue(context.Request.RawUrl ?? "");
        context.Response.ContentType = "text/plain";
        context.Response.Close("counted"u8.ToArray(), willBlock: false);
        return Task.CompletedTask;
    }

    public void Dispose() => _server.Dispose();
}
