using System.Net;

namespace HermitSync.Rqlite;

/// <summary>How every <see cref="RqliteClient"/> talks HTTP, whether dependency injection builds it or <see cref="RqliteClient.Create"/> does.</summary>
internal static class RqliteHttp
{
    /// <summary>Shared by the clients <see cref="RqliteClient.Create"/> makes, so they pool connections rather than exhaust sockets.</summary>
    public static HttpClient Shared { get; } = new(CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };

    public static SocketsHttpHandler CreateHandler() => new()
    {
        // Redirects are followed by the client itself, keeping the method and credentials.
        AllowAutoRedirect = false,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    };
}
