using BenchmarkDotNet.Attributes;
using HermitSync.Storage;

namespace HermitSync.MicroBench;

/// <summary>Every write takes a stamp under the clock's lock.</summary>
public class HybridLogicalClockBenchmarks
{
    private readonly HybridLogicalClock _clock = new(TimeProvider.System);

    [Benchmark]
    public long Next() => _clock.Next();

    /// <summary>An edit stamps after its parent, which may be ahead of this machine's wall clock.</summary>
    [Benchmark]
    public long NextAfterAStampAhead() => _clock.Next(after: HybridLogicalClock.FromPhysical(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60_000));
}
