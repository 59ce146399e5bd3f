using System.Collections.Concurrent;
using System.Net;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;
using static HermitSync.IntegrationTests.Telemetry.Protobuf;

namespace HermitSync.IntegrationTests.Telemetry;

/// <summary>A span as the services exported it; ids in lower-case hex, the parent empty for a root.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string Name, string TraceId, string SpanId, string ParentSpanId);

/// <summary>
/// Stands in for the dashboard's OTLP/HTTP endpoint on 127.0.0.1: the AppHost points every
/// service at it, and it keeps the spans and the names of the metrics they send, so tests
/// can check what the dashboard would show.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<(string Service, string Metric), bool> _metrics = new();

    public OtlpReceiver() => _server = new LoopbackHttpServer(ReceiveAsync);

    public Uri Endpoint => _server.Address;

    /// <summary>
    /// Points every service of the AppHost here, over OTLP/HTTP. The launch profile's gRPC
    /// address is removed, not blanked: Aspire prefers any gRPC address to the HTTP one.
    /// </summary>
    public void ReceiveFrom(IDistributedApplicationTestingBuilder builder)
    {
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = null;
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] = Endpoint.ToString().TrimEnd('/');
    }

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public bool HasMetric(string service, string metric) => _metrics.ContainsKey((service, metric));

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        using (var body = new MemoryStream())
        {
            await context.Request.InputStream.CopyToAsync(body);
            Read(context.Request.Url!.AbsolutePath, body.ToArray());
        }
        // An empty body is an empty Export…ServiceResponse: all accepted.
        context.Response.StatusCode = (int)HttpStatusCode.OK;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.Close();
    }

    /// <summary>
    /// OTLP: a request holds resources (field 1); a resource its attributes (1.1) and scopes
    /// (2); a scope its name (1.1) and spans or metrics (2).
    /// </summary>
    private void Read(string path, ReadOnlyMemory<byte> request)
    {
        foreach (var resource in All(request, 1))
        {
            var service = ServiceName(One(resource, 1));
            foreach (var scope in All(resource, 2))
            {
                var scopeName = Text(One(scope, 1), 1);
                foreach (var item in All(scope, 2))
                {
                    if (path == "/v1/traces")
                    {
                        _spans.Enqueue(new ReceivedSpan(service, scopeName, Text(item, 5), Hex(item, 1), Hex(item, 2), Hex(item, 4)));
                    }
                    else if (path == "/v1/metrics")
                    {
                        _metrics.TryAdd((service, Text(item, 1)), true);
                    }
                }
            }
        }
    }

    private static string ServiceName(ReadOnlyMemory<byte> resource) =>
        All(resource, 1).Where(attribute => Text(attribute, 1) == "service.name").Select(attribute => Text(One(attribute, 2), 1)).FirstOrDefault() ?? "";

    public void Dispose() => _server.Dispose();
}
