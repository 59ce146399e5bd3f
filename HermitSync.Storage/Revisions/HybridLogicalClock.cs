namespace HermitSync.Storage;

/// <summary>
/// A hybrid logical clock: Unix milliseconds in the high 48 bits, a counter in the low 16.
/// It never runs backwards, and a stamp issued after seeing another is always greater than
/// it, so causality survives a wall clock that is wrong by an hour.
/// </summary>
public sealed class HybridLogicalClock(TimeProvider time)
{
    private const int LogicalBits = 16;
    private readonly Lock _gate = new();
    private long _last;

    public static long Physical(long hlc) => hlc >> LogicalBits;

    public static long FromPhysical(long unixMilliseconds) => unixMilliseconds << LogicalBits;

    /// <summary>Raises the clock to at least <paramref name="hlc"/>, e.g. the newest stamp in the database at start-up.</summary>
    public void Observe(long hlc)
    {
        lock (_gate)
        {
            _last = Math.Max(_last, hlc);
        }
    }

    /// <summary>A new stamp greater than every stamp issued or observed, and than <paramref name="after"/>.</summary>
    public long Next(long after = 0)
    {
        lock (_gate)
        {
            var wall = FromPhysical(time.GetUtcNow().ToUnixTimeMilliseconds());
            var floor = Math.Max(_last, after);
            // When the wall clock is behind what we have seen, count on from what we have seen.
            // The counter overflowing simply carries into the millisecond field.
            _last = wall > floor ? wall : floor + 1;
            return _last;
        }
    }
}
