using HermitSync.Exporter.Passphrase;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// Whether exporting and importing work, for the exporter's health endpoint. A site without a
/// passphrase yet is healthy: it is waiting for its person, not failing, and says so.
/// </summary>
public sealed class SyncHealth(SyncPassphrases passphrases) : IHealthCheck
{
    private const int FailuresBeforeUnhealthy = 3;
    private volatile string? _exportError;
    private volatile string? _importError;
    private int _exportFailures;
    private int _importFailures;

    public void ExportSucceeded() { _exportError = null; Interlocked.Exchange(ref _exportFailures, 0); }

    public void ExportFailed(string error) { _exportError = error; Interlocked.Increment(ref _exportFailures); }

    public void ImportSucceeded() { _importError = null; Interlocked.Exchange(ref _importFailures, 0); }

    public void ImportFailed(string error) { _importError = error; Interlocked.Increment(ref _importFailures); }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failures = Math.Max(Volatile.Read(ref _exportFailures), Volatile.Read(ref _importFailures));
        var problem = string.Join("; ", new[] { _exportError is null ? null : $"export: {_exportError}", _importError is null ? null : $"import: {_importError}" }.OfType<string>());
        return Task.FromResult(failures switch
        {
            0 => HealthCheckResult.Healthy(passphrases.IsSet ? null : "No sync passphrase yet: create one, or join, on the Sync page."),
            < FailuresBeforeUnhealthy => HealthCheckResult.Degraded(problem),
            _ => HealthCheckResult.Unhealthy(problem),
        });
    }
}
