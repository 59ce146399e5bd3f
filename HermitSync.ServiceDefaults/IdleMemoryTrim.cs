using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HermitSync.ServiceDefaults;

/// <summary>When a service hands back the memory its garbage collector kept from a burst of work.</summary>
public sealed class IdleMemoryTrimOptions
{
    public const string Section = "HermitSync:MemoryTrim";

    /// <summary>How often the service looks whether it has gone quiet.</summary>
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// At most this much allocated since the last look counts as quiet: an idle service's health
    /// probes and telemetry allocate well under it, a request loop or an import far more.
    /// </summary>
    public long QuietBelowBytes { get; set; } = 16 << 20;

    /// <summary>
    /// What the service must have allocated since the last trim for a trim to be worth its pause
    /// (a blocking, compacting collection of the whole heap, tens of milliseconds here): a burst
    /// of work allocates far more, and an idle service takes many minutes to reach it.
    /// </summary>
    public long WorkBytes { get; set; } = 64 << 20;
}

/// <summary>
/// Decides from what the service has allocated, one look at a time, when to trim: it has gone
/// quiet after work since the last trim. What the collector holds is no guide: after a trim in a
/// pause with much still live, it holds no more when that is garbage, yet could hand it back.
/// </summary>
internal sealed class IdleTrimPolicy(IdleMemoryTrimOptions options, long allocatedBytes)
{
    private long _allocated = allocatedBytes;
    private long _allocatedAtTrim = allocatedBytes;

    public bool ShouldTrim(long allocatedBytes)
    {
        var quiet = allocatedBytes - _allocated <= options.QuietBelowBytes;
        _allocated = allocatedBytes;
        return quiet && allocatedBytes - _allocatedAtTrim >= options.WorkBytes;
    }

    public void Trimmed(long allocatedBytes)
    {
        _allocated = allocatedBytes;
        _allocatedAtTrim = allocatedBytes;
    }
}

/// <summary>
/// Once a burst of work is over, runs one aggressive collection, which compacts the heap and
/// returns the collector's free memory to the system (.NET's <see cref="GCCollectionMode.Aggressive"/>,
/// meant for a process going idle). Without it a service kept what its busiest minute needed:
/// the exporter 105 MiB after the bench's workload, with 20 MB of it live.
/// </summary>
internal sealed partial class IdleMemoryTrim(IOptions<IdleMemoryTrimOptions> options, TimeProvider time, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    private IdleTrimPolicy? _policy;

    /// <summary>Takes the figures to compare with as the host starts, before the service's own loop runs.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _policy = new IdleTrimPolicy(options.Value, GC.GetTotalAllocatedBytes());
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var policy = _policy ?? throw new InvalidOperationException("Started without StartAsync.");
        using var timer = new PeriodicTimer(options.Value.CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (policy.ShouldTrim(GC.GetTotalAllocatedBytes()))
            {
                var before = Committed();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var after = Committed();
                policy.Trimmed(GC.GetTotalAllocatedBytes());
                LogTrimmed(before >> 20, after >> 20);
            }
        }
    }

    /// <summary>What the collector held at its last collection.</summary>
    private static long Committed() => GC.GetGCMemoryInfo().TotalCommittedBytes;

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after work: the collector held {Before} MiB and now holds {After} MiB")]
    private partial void LogTrimmed(long before, long after);
}

public static class IdleMemoryTrimExtensions
{
    public static TBuilder AddIdleMemoryTrim<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<IdleMemoryTrimOptions>()
            .BindConfiguration(IdleMemoryTrimOptions.Section)
            .Validate(o => o.CheckEvery > TimeSpan.Zero && o.QuietBelowBytes >= 0 && o.WorkBytes > 0, "HermitSync:MemoryTrim needs a positive CheckEvery and WorkBytes.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<IdleMemoryTrim>();
        return builder;
    }
}
