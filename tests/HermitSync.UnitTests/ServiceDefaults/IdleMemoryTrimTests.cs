using HermitSync.ServiceDefaults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HermitSync.UnitTests.ServiceDefaults;

public sealed class IdleMemoryTrimTests
{
    private const long MiB = 1 << 20;

    private static readonly IdleMemoryTrimOptions Options = new() { QuietBelowBytes = 16 * MiB, GrowthBytes = 16 * MiB };

    [Fact]
    public void A_quiet_service_that_grew_is_trimmed()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0, committedBytes: 50 * MiB);

        Assert.True(policy.ShouldTrim(allocatedBytes: MiB, committedBytes: 70 * MiB));
    }

    [Fact]
    public void A_busy_service_is_left_alone_until_it_goes_quiet()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0, committedBytes: 50 * MiB);

        Assert.False(policy.ShouldTrim(allocatedBytes: 500 * MiB, committedBytes: 120 * MiB));
        Assert.False(policy.ShouldTrim(allocatedBytes: 900 * MiB, committedBytes: 130 * MiB));
        Assert.True(policy.ShouldTrim(allocatedBytes: 901 * MiB, committedBytes: 130 * MiB));
    }

    [Fact]
    public void A_quiet_service_that_did_not_grow_is_left_alone()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0, committedBytes: 50 * MiB);

        Assert.False(policy.ShouldTrim(allocatedBytes: MiB, committedBytes: 60 * MiB));
    }

    [Fact]
    public void A_service_that_stays_idle_is_trimmed_once()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0, committedBytes: 50 * MiB);
        Assert.True(policy.ShouldTrim(allocatedBytes: MiB, committedBytes: 100 * MiB));
        policy.Trimmed(allocatedBytes: 2 * MiB, committedBytes: 55 * MiB);

        Assert.False(policy.ShouldTrim(allocatedBytes: 3 * MiB, committedBytes: 55 * MiB));
        Assert.False(policy.ShouldTrim(allocatedBytes: 4 * MiB, committedBytes: 60 * MiB));
        Assert.True(policy.ShouldTrim(allocatedBytes: 5 * MiB, committedBytes: 71 * MiB));
    }

    [Fact]
    public async Task The_service_collects_when_it_looks_and_finds_it_grew_and_is_quiet()
    {
        var time = new FakeTimeProvider();
        var logger = new CapturingLogger();
        // Any growth counts and any allocation is quiet, so the first look trims.
        var options = Microsoft.Extensions.Options.Options.Create(new IdleMemoryTrimOptions { CheckEvery = TimeSpan.FromSeconds(10), QuietBelowBytes = long.MaxValue, GrowthBytes = 1 });
        using var trim = new IdleMemoryTrim(options, time, logger);
        await trim.StartAsync(CancellationToken.None);
        try
        {
            var collections = GC.CollectionCount(GC.MaxGeneration);
            // Grow past what the collector held when the service started, and let a collection see it.
            var garbage = Enumerable.Range(0, 64).Select(_ => new byte[1 << 20]).ToList();
            GC.KeepAlive(garbage);
            garbage = null;
            GC.Collect(0);

            // The service makes its timer on a thread of its own: keep time moving until it looks.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (logger.Messages.IsEmpty)
            {
                time.Advance(TimeSpan.FromSeconds(10));
                await Task.Delay(20, patience.Token);
            }
            Assert.StartsWith("Quiet after work", logger.Messages.First());
            Assert.True(GC.CollectionCount(GC.MaxGeneration) > collections);
        }
        finally
        {
            await trim.StopAsync(CancellationToken.None);
        }
    }

    private sealed class CapturingLogger : ILogger<IdleMemoryTrim>
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(formatter(state, exception));
    }
}
