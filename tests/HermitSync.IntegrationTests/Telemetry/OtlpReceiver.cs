using System.Collections.Concurrent;
using System.Net;
using Aspire.Hosting.Testing;
using HermitSync.Testing;
using static HermitSync.IntegrationTests.Telemetry.Protobuf;

namespace HermitSync.IntegrationTests.Telemetry;

/// <summary>A span as the services exported it; ids in lower-case hex, the parent empty for a root.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string Name, string TraceId, string SpanId, string ParentSpanId);

/// <summary>
/// One series of a metric: its attributes and its value, a sum's or a histogram's count.
/// <see cref="Cumulative"/> values count from the service's start, as the dashboard gets them.
/// </summary>
public sealed record MetricPoint(string Metric, IReadOnlyDictionary<string, string> Attributes, double Value, bool Cumulative)
{
    public override string ToString() => $"{Metric} {{{string.Join(", ", Attributes.Select(a => $"{a.Key}={a.Value}"))}}} = {Value}";
}

/// <summary>What one service exported in one collection: every series it had at <see cref="CollectedAt"/>.</summary>
public sealed record MetricExport(string Service, DateTimeOffset CollectedAt, IReadOnlyList<MetricPoint> Points)
{
    public IEnumerable<MetricPoint> Series(string metric) => Points.Where(p => p.Metric == metric);

    /// <summary>A metric's total over the series whose attributes include <paramref name="attributes"/>; 0 when it has none yet.</summary>
    public double Total(string metric, params (string Key, string Value)[] attributes)
    {
        var series = Series(metric).Where(p => attributes.All(a => p.Attributes.GetValueOrDefault(a.Key) == a.Value)).ToArray();
        Assert.All(series, p => Assert.True(p.Cumulative, $"{Service} exports {metric} as deltas; totals need cumulative values"));
        return series.Sum(p => p.Value);
    }
}

/// <summary>
/// Stands in for the dashboard's OTLP/HTTP endpoint on 127.0.0.1: the AppHost points every
/// service at it, and it keeps the spans and the metrics they send, so tests can check what
/// the dashboard would show.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<MetricExport> _metrics = new();

    public OtlpReceiver() => _server = new LoopbackHttpServer(ReceiveAsync);

    public Uri Endpoint => _server.Address;

    /// <summary>Points every service of the AppHost here.</summary>
    public void ReceiveFrom(IDistributedApplicationTestingBuilder builder) => TelemetrySink.PointAt(builder.Configuration, Endpoint);

    public IReadOnlyCollection<ReceivedSpan> Spans => _spans;

    public bool HasMetric(string service, string metric) => _metrics.Any(e => e.Service == service && e.Series(metric).Any());

    /// <summary>The first export of <paramref name="service"/>'s metrics collected after <paramref name="after"/>.</summary>
    public async Task<MetricExport> MetricsAfterAsync(string service, DateTimeOffset after, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (_metrics.Where(e => e.Service == service && e.CollectedAt > after).MinBy(e => e.CollectedAt) is { } export)
            {
                return export;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{service} exported no metrics collected after {after:O} within {patience.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    private async Task ReceiveAsync(HttpListenerContext context)
    {
        using (var body = new MemoryStream())
        {
            await context.Request.InputStream.CopyToAsync(body);
            Read(context.Request.Url!.AbsolutePath, body.ToArray());
        }
        TelemetrySink.Accept(context.Response);
    }

    /// <summary>
    /// OTLP: a request holds resources (field 1); a resource its attributes (1.1) and scopes
    /// (2); a scope its name (1.1) and spans or metrics (2).
    /// </summary>
    private void Read(string path, ReadOnlyMemory<byte> request)
    {
        foreach (var resource in All(request, 1))
        {
            var service = Attributes(One(resource, 1), 1).GetValueOrDefault("service.name", "");
            var points = new List<(MetricPoint Point, ulong Time)>();
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
                        points.AddRange(Points(item));
                    }
                }
            }
            if (points.Count > 0)
            {
                var collected = DateTimeOffset.UnixEpoch.AddTicks((long)(points.Max(p => p.Time) / 100));
                _metrics.Enqueue(new MetricExport(service, collected, points.Select(p => p.Point).ToArray()));
            }
        }
    }

    /// <summary>
    /// A metric (name 1; a gauge 5, sum 7 or histogram 9, each with its temporality in 2, 2 meaning
    /// cumulative) and its data points (1): a number's time (3) and value (double 4, int 6) and
    /// attributes (7); a histogram's time (3), count (4) and attributes (9).
    /// </summary>
    private static IEnumerable<(MetricPoint Point, ulong Time)> Points(ReadOnlyMemory<byte> metric)
    {
        var name = Text(metric, 1);
        foreach (var (kind, attributes) in new[] { (5, 7), (7, 7), (9, 9) })
        {
            foreach (var data in All(metric, kind))
            {
                var cumulative = kind == 5 || Scalar(data, 2) == 2;
                foreach (var point in All(data, 1))
                {
                    var value = kind == 9 ? Scalar(point, 4) ?? 0
                        : Scalar(point, 6) is { } integer ? (long)integer
                        : BitConverter.UInt64BitsToDouble(Scalar(point, 4) ?? 0);
                    yield return (new MetricPoint(name, Attributes(point, attributes), value, cumulative), Scalar(point, 3) ?? 0);
                }
            }
        }
    }

    /// <summary>Key-value pairs (key 1, value 2: a string 1, bool 2, int 3 or double 4), as text.</summary>
    private static Dictionary<string, string> Attributes(ReadOnlyMemory<byte> message, int field) =>
        All(message, field).ToDictionary(attribute => Text(attribute, 1), attribute =>
        {
            var value = One(attribute, 2);
            return All(value, 1).Any() ? Text(value, 1)
                : Scalar(value, 3) is { } integer ? ((long)integer).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : Scalar(value, 2) is { } flag ? (flag != 0).ToString()
                : BitConverter.UInt64BitsToDouble(Scalar(value, 4) ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        });

    public void Dispose() => _server.Dispose();
}
