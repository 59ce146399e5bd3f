using System.Net;
using Microsoft.Extensions.Configuration;

namespace HermitSync.Testing;

/// <summary>
/// An OTLP/HTTP endpoint on 127.0.0.1 that takes the services' telemetry and drops it, for a
/// stack started without the dashboard. Without one, the services send to the dashboard's
/// address from the launch profile, where nothing listens, and every export fails with an
/// exception and is tried again, which no real run does.
/// </summary>
public sealed class TelemetrySink : IDisposable
{
    private readonly LoopbackHttpServer _server = new(async context =>
    {
        await context.Request.InputStream.CopyToAsync(Stream.Null);
        Accept(context.Response);
    });

    /// <summary>Points every service of the AppHost configured by <paramref name="configuration"/> here.</summary>
    public void ReceiveFrom(IConfiguration configuration) => PointAt(configuration, _server.Address);

    /// <summary>
    /// Points every service of an AppHost at <paramref name="endpoint"/>, over OTLP/HTTP. The launch
    /// profile's gRPC address is removed, not blanked: Aspire prefers any gRPC address to the HTTP one.
    /// </summary>
    public static void PointAt(IConfiguration configuration, Uri endpoint)
    {
        configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = null;
        configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = endpoint.ToString().TrimEnd('/');
    }

    /// <summary>Answers an export: an empty body is an empty Export…ServiceResponse, all accepted.</summary>
    public static void Accept(HttpListenerResponse response)
    {
        response.StatusCode = (int)HttpStatusCode.OK;
        response.ContentType = "application/x-protobuf";
        response.Close();
    }

    public void Dispose() => _server.Dispose();
}
