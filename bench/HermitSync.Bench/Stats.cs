namespace HermitSync.Bench;

/// <summary>Order statistics of a sample: nearest-rank percentiles, so every figure is a value that was measured.</summary>
public static class Stats
{
    public static double Percentile(IEnumerable<double> samples, double percent)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(samples));
        }
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> samples) => Percentile(samples, 50);
}
