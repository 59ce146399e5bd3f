using HermitSync.Exporter.Sync;
using Microsoft.Extensions.Time.Testing;

namespace HermitSync.UnitTests.Sync;

public sealed class WakeupTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly Wakeup _wakeup = new();

    [Fact]
    public async Task A_nudge_before_the_wait_ends_it_at_once()
    {
        _wakeup.Nudge();

        Assert.True(await _wakeup.WaitAsync(Interval, _time, CancellationToken.None).WaitAsync(Patience));
    }

    [Fact]
    public async Task Without_a_nudge_the_wait_lasts_its_interval()
    {
        var waiting = _wakeup.WaitAsync(Interval, _time, CancellationToken.None);
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await waiting.WaitAsync(Patience));
    }

    [Fact]
    public async Task A_nudge_during_the_wait_ends_it()
    {
        var waiting = _wakeup.WaitAsync(Interval, _time, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);

        _wakeup.Nudge();

        Assert.True(await waiting.WaitAsync(Patience));
    }

    [Fact]
    public async Task Nudges_while_the_loop_works_end_one_wait_only()
    {
        _wakeup.Nudge();
        _wakeup.Nudge();
        _wakeup.Nudge();
        Assert.True(await _wakeup.WaitAsync(Interval, _time, CancellationToken.None).WaitAsync(Patience));

        var next = _wakeup.WaitAsync(Interval, _time, CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        _time.Advance(Interval);
        Assert.False(await next.WaitAsync(Patience));
    }

    [Fact]
    public async Task Stopping_ends_the_wait_with_a_cancellation()
    {
        using var stopping = new CancellationTokenSource();
        var waiting = _wakeup.WaitAsync(Interval, _time, stopping.Token);

        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Patience));
    }
}
