namespace HermitSync.Storage;

/// <summary>
/// A hybrid logical clock: Unix milliseconds in the high 48 bits, a counter in the low 16.
/// It never runs backwards, and a stamp issued after seeing another is always greater than
/// it, so causality survives a wall clock that is wrong by an hour. It never runs more than
/// <see cref="RevisionRules.MaxClockAhead"/> ahead of its wall clock, whatever it is shown:
/// a stamp from further ahead (only a revision stored before imports were checked can carry
/// one) neither drags this site's clock forward nor brings it near overflowing.
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
            _last = Math.Max(_last, Bounded(hlc, Wall()));
        }
    }

    /// <summary>A new stamp greater than every stamp issued or observed, and than <paramref name="after"/> when that is within bounds.</summary>
    public long Next(long after = 0)
    {
        lock (_gate)
        {
            var wall = Wall();
            var floor = Math.Max(_last, Bounded(after, wall));
            // When the wall clock is behind what we have seen, count on from what we have seen.
            // The counter overflowing simply carries into the millisecond field.
            _last = wall > floor ? wall : floor + 1;
            return _last;
        }
    }

    private long Wall() => FromPhysical(time.GetUtcNow().ToUnixTimeMilliseconds());

    private static long Bounded(long hlc, long wall) => Math.Min(hlc, wall + FromPhysical((long)RevisionRules.MaxClockAhead.TotalMilliseconds));
}
