using System.Diagnostics;

namespace HermitSync.Bench;

/// <summary>
/// Runs ways of doing the same work in rounds, in turn, so that a noisy neighbour slows them
/// alike: a warm-up round that is thrown away (long enough for the JIT to settle on its
/// optimized code), then <see cref="Rounds"/> measured rounds, each with every way once, the
/// first way rotating.
/// </summary>
public static class Load
{
    public const int Rounds = 3;

    /// <summary>One sample per way: every latency of every measured round (ms), and each round's throughput (operations/s).</summary>
    public sealed record Sample(List<double> LatenciesMs, List<double> Throughputs)
    {
        public double Latency(double percentile) => Stats.Percentile(LatenciesMs, percentile);

        public double Throughput => Stats.Median(Throughputs);
    }

    /// <summary>Each way is called with a number not used before, for unique titles and ids.</summary>
    public static async Task<Sample[]> CompareAsync(int clients, int perClient, params Func<int, Task>[] ways)
    {
        var samples = ways.Select(_ => new Sample([], [])).ToArray();
        foreach (var way in ways)
        {
            await RoundAsync(way, clients, perClient);
        }
        for (var round = 0; round < Rounds; round++)
        {
            for (var turn = 0; turn < ways.Length; turn++)
            {
                var which = (round + turn) % ways.Length;
                var (latencies, elapsed) = await RoundAsync(ways[which], clients, perClient);
                samples[which].LatenciesMs.AddRange(latencies);
                samples[which].Throughputs.Add(latencies.Length / elapsed.TotalSeconds);
            }
        }
        return samples;
    }

    private static int _number;

    private static async Task<(double[] LatenciesMs, TimeSpan Elapsed)> RoundAsync(Func<int, Task> way, int clients, int perClient)
    {
        var started = Stopwatch.GetTimestamp();
        var latencies = await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var mine = new double[perClient];
            for (var i = 0; i < perClient; i++)
            {
                var sent = Stopwatch.GetTimestamp();
                await way(Interlocked.Increment(ref _number));
                mine[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            }
            return mine;
        }));
        return (latencies.SelectMany(l => l).ToArray(), Stopwatch.GetElapsedTime(started));
    }
}
