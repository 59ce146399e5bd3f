using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HermitSync.Rqlite;

/// <summary>
/// Decides, one look at a time, when to release the log cache: the client has written at least
/// <see cref="RqliteClientSettings.LogCacheReleaseAfterBytes"/> since the last release, and then
/// went quiet. A few notes edited meanwhile hold nothing up.
/// </summary>
internal sealed class LogCacheReleasePolicy(RqliteClientSettings settings, long writtenBytes)
{
    private long _written = writtenBytes;
    private long _writtenAtRelease = writtenBytes;

    public bool ShouldRelease(long writtenBytes)
    {
        var quiet = writtenBytes - _written < settings.LogCacheQuietBelowBytes;
        _written = writtenBytes;
        return quiet && writtenBytes - _writtenAtRelease >= settings.LogCacheReleaseAfterBytes;
    }

    public long SinceRelease(long writtenBytes) => writtenBytes - _writtenAtRelease;

    public void Released(long writtenBytes)
    {
        _written = writtenBytes;
        _writtenAtRelease = writtenBytes;
    }
}

/// <summary>Releases the cluster's log cache once this client's bulk writes are over (<see cref="RqliteLogCache"/>).</summary>
internal sealed partial class RqliteLogCacheRelease(RqliteClient rqlite, RqliteClientSettings settings, TimeProvider time, ILogger<RqliteLogCacheRelease> logger)
    : BackgroundService
{
    private LogCacheReleasePolicy? _policy;

    /// <summary>Takes the figure to compare with as the host starts, before the service's own loop runs.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _policy = new LogCacheReleasePolicy(settings, rqlite.WrittenBytes);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var policy = _policy ?? throw new InvalidOperationException("Started without StartAsync.");
        using var timer = new PeriodicTimer(settings.LogCacheCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var written = rqlite.WrittenBytes;
            if (!policy.ShouldRelease(written))
            {
                continue;
            }
            try
            {
                await rqlite.ReleaseAsync(stoppingToken);
                LogReleased(policy.SinceRelease(written) >> 20, RqliteLogCache.Entries);
                policy.Released(rqlite.WrittenBytes);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Looked at again at the next tick: the writes are still there to push out.
                LogNotReleased(e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bulk writes over ({WrittenMiB} MiB since the last time): pushed them out of rqlite's Raft log cache with {Entries} empty entries")]
    private partial void LogReleased(long writtenMiB, int entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push bulk writes out of rqlite's Raft log cache yet: {Reason}")]
    private partial void LogNotReleased(string reason);
}
