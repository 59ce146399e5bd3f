using System.Threading.Channels;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// What a background loop waits for between passes: a nudge, or its interval, whichever comes
/// first. Nudges that come while the loop works are kept as one, so the next wait ends at once.
/// </summary>
public sealed class Wakeup
{
    private readonly Channel<bool> _nudges = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Nudge() => _nudges.Writer.TryWrite(true);

    /// <summary>True when nudged, false when <paramref name="interval"/> ran out first.</summary>
    public async Task<bool> WaitAsync(TimeSpan interval, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(interval);
        try
        {
            await _nudges.Reader.ReadAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
