namespace HermitSync.Exporter.Sync;

/// <summary>
/// So many of something at once, then so many a minute: how the exporter paces what any peer
/// can ask of it without bound, such as key derivations and folders for sites it has not seen.
/// </summary>
public sealed class TokenBucket(int burst, double perMinute, TimeProvider time)
{
    private readonly Lock _gate = new();
    private double _tokens = burst;
    private DateTimeOffset _refilledAt = time.GetUtcNow();

    /// <summary>Takes one, or says how long until there is one.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            _tokens = Math.Min(burst, _tokens + ((now - _refilledAt).TotalMinutes * perMinute));
            _refilledAt = now;
            if (_tokens >= 1)
            {
                _tokens--;
                retryAfter = TimeSpan.Zero;
                return true;
            }
            retryAfter = TimeSpan.FromMilliseconds(Math.Ceiling((1 - _tokens) * 60_000 / perMinute) + 1);
            return false;
        }
    }
}
