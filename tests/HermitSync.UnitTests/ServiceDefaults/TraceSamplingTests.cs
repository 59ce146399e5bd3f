using System.Diagnostics;
using HermitSync.ServiceDefaults;
using OpenTelemetry.Trace;

namespace HermitSync.UnitTests.ServiceDefaults;

/// <summary>Traces are kept up to a rate where they start, and kept or dropped whole after that.</summary>
public sealed class TraceSamplingTests
{
    private readonly Sampler _sampler = new ParentBasedSampler(new RateLimitedSampler(tracesPerSecond: 5));

    [Fact]
    public void New_traces_beyond_the_rate_are_dropped()
    {
        var decisions = Enumerable.Range(0, 8).Select(_ => Decide(parent: default)).ToArray();

        Assert.Equal(5, decisions.Count(d => d == SamplingDecision.RecordAndSample));
        Assert.Equal(SamplingDecision.Drop, decisions[^1]);
    }

    [Fact]
    public void A_span_follows_its_parent_whatever_the_rate()
    {
        for (var i = 0; i < 10; i++)
        {
            Decide(parent: default);
        }

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(Remote(ActivityTraceFlags.Recorded)));
        Assert.Equal(SamplingDecision.Drop, Decide(Remote(ActivityTraceFlags.None)));
    }

    private static ActivityContext Remote(ActivityTraceFlags flags) =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), flags, isRemote: true);

    private SamplingDecision Decide(ActivityContext parent) =>
        _sampler.ShouldSample(new SamplingParameters(parent, parent == default ? ActivityTraceId.CreateRandom() : parent.TraceId, "GET /api/notes", ActivityKind.Server)).Decision;
}
