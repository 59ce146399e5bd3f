using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HermitSync.Exporter.Snapshots;

/// <summary>What the exporter last did, for its health check.</summary>
public sealed class ExportStatus : IHealthCheck
{
    private const int FailuresBeforeUnhealthy = 3;
    private volatile string? _lastError;
    private int _consecutiveFailures;

    public DateTimeOffset? LastExportAt { get; private set; }

    public void Succeeded(DateTimeOffset at)
    {
        LastExportAt = at;
        _lastError = null;
        Interlocked.Exchange(ref _consecutiveFailures, 0);
    }

    public void Failed(string error)
    {
        _lastError = error;
        Interlocked.Increment(ref _consecutiveFailures);
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failures = Volatile.Read(ref _consecutiveFailures);
        var data = new Dictionary<string, object> { ["lastExportAt"] = LastExportAt?.ToString("O") ?? "never" };
        return Task.FromResult(failures switch
        {
            0 => HealthCheckResult.Healthy("Exporting.", data),
            < FailuresBeforeUnhealthy => HealthCheckResult.Degraded($"The last export failed: {_lastError}", data: data),
            _ => HealthCheckResult.Unhealthy($"{failures} exports in a row failed; the last: {_lastError}", data: data),
        });
    }
}
