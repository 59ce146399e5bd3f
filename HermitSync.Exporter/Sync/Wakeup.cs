using System.Threading.Channels;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// What a background loop waits for between passes: a nudge, or its interval, whichever comes
/// first. Nudges that come while the loop works are kept as one, so the next wait ends at once.
/// One loop waits on each.
/// </summary>
public sealed class Wakeup
{
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    // Kept from one wait to the next rather than cancelled when the interval ends: an idle loop
    // wakes often, and a cancelled wait costs an exception each time.
    private Task<bool>? _nudged;

    public void Nudge() => _nudges.Writer.TryWrite(true);

    /// <summary>True when nudged, false when <paramref name="interval"/> ran out first.</summary>
    public async Task<bool> WaitAsync(TimeSpan interval, TimeProvider time, CancellationToken stoppingToken)
    {
        _nudged ??= _nudges.Reader.WaitToReadAsync(CancellationToken.None).AsTask();
        using var intervalEnds = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        await Task.WhenAny(_nudged, Task.Delay(interval, time, intervalEnds.Token));
        stoppingToken.ThrowIfCancellationRequested();
        // A delay that is not awaited ends without an exception.
        await intervalEnds.CancelAsync();
        if (!_nudged.IsCompleted)
        {
            return false;
        }
        _nudged = null;
        return _nudges.Reader.TryRead(out _);
    }
}
