using System.Diagnostics;
using OpenTelemetry.Trace;

namespace HermitSync.ServiceDefaults;

/// <summary>How many new traces a service keeps each second. Metrics count every request, whatever this says.</summary>
public sealed class TraceSamplingOptions
{
    public const string Section = "HermitSync:Tracing";

    /// <summary>
    /// Far above what a person at the app starts, and the exporter's polls (ten a second), so
    /// those traces stay whole; a load test's hundreds a second are cut to this, which keeps
    /// tracing's CPU (spans, their export) small under load.
    /// </summary>
    public double TracesPerSecond { get; set; } = 50;
}

/// <summary>
/// Keeps new traces up to a rate, with a burst of one second's worth, and drops the rest. It
/// decides only where a trace starts: behind <see cref="ParentBasedSampler"/>, a span follows
/// its parent, so a trace is kept or dropped whole across the services.
/// </summary>
internal sealed class RateLimitedSampler : Sampler
{
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    private readonly Lock _gate = new();
    private readonly double _perSecond;
    private double _tokens;
    private long _refilledAt = Stopwatch.GetTimestamp();

    public RateLimitedSampler(double tracesPerSecond)
    {
        _perSecond = tracesPerSecond;
        _tokens = tracesPerSecond;
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            _tokens = Math.Min(_perSecond, _tokens + Stopwatch.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond);
            _refilledAt = now;
            if (_tokens < 1)
            {
                return Drop;
            }
            _tokens--;
            return Keep;
        }
    }
}
