using HermitSync.ServiceDefaults;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace HermitSync.UnitTests.ServiceDefaults;

public sealed class IdleMemoryTrimTests
{
    private const long MiB = 1 << 20;

    private static readonly IdleMemoryTrimOptions Options = new() { QuietBelowBytes = 16 * MiB, WorkBytes = 64 * MiB };

    [Fact]
    public void A_service_quiet_after_work_is_trimmed()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0);

        Assert.False(policy.ShouldTrim(allocatedBytes: 200 * MiB));
        Assert.True(policy.ShouldTrim(allocatedBytes: 201 * MiB));
    }

    [Fact]
    public void A_busy_service_is_left_alone_until_it_goes_quiet()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0);

        Assert.False(policy.ShouldTrim(allocatedBytes: 500 * MiB));
        Assert.False(policy.ShouldTrim(allocatedBytes: 900 * MiB));
        Assert.True(policy.ShouldTrim(allocatedBytes: 901 * MiB));
    }

    [Fact]
    public void A_service_that_did_little_is_left_alone()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0);

        Assert.False(policy.ShouldTrim(allocatedBytes: 10 * MiB));
        Assert.False(policy.ShouldTrim(allocatedBytes: 20 * MiB));
    }

    [Fact]
    public void A_service_that_stays_idle_is_trimmed_again_only_after_as_much_work()
    {
        var policy = new IdleTrimPolicy(Options, allocatedBytes: 0);
        Assert.False(policy.ShouldTrim(allocatedBytes: 100 * MiB));
        Assert.True(policy.ShouldTrim(allocatedBytes: 101 * MiB));
        policy.Trimmed(allocatedBytes: 102 * MiB);

        for (var allocated = 110; allocated < 166; allocated += 8)
        {
            Assert.False(policy.ShouldTrim(allocatedBytes: allocated * MiB));
        }
        Assert.True(policy.ShouldTrim(allocatedBytes: 166 * MiB));
    }

    [Fact]
    public async Task The_service_collects_when_it_looks_and_finds_work_done_and_quiet()
    {
        var time = new FakeTimeProvider();
        var logger = new CapturingLogger();
        // Any allocation is quiet and a byte is work enough, so the first look after some trims.
        var options = Microsoft.Extensions.Options.Options.Create(new IdleMemoryTrimOptions { CheckEvery = TimeSpan.FromSeconds(10), QuietBelowBytes = long.MaxValue, WorkBytes = 1 });
        using var trim = new IdleMemoryTrim(options, time, logger);
        await trim.StartAsync(CancellationToken.None);
        try
        {
            var collections = GC.CollectionCount(GC.MaxGeneration);
            GC.KeepAlive(new byte[1 << 20]);

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
