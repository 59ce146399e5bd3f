using System.Diagnostics;
using System.Diagnostics.Metrics;
using HermitSync.Exporter.Syncthing;
using HermitSync.Rqlite;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Snapshots;

/// <summary>
/// Writes a full snapshot of the database into the sync folder whenever the data changed,
/// keeps the newest few, and asks Syncthing to rescan so peers get it at once.
/// </summary>
public sealed class SnapshotExporter(
    RqliteClient rqlite,
    SyncthingClient syncthing,
    IOptions<ExporterOptions> options,
    ExportStatus status,
    TimeProvider clock,
    ILogger<SnapshotExporter> logger) : BackgroundService
{
    public const string TelemetryName = "HermitSync.Exporter";

    private static readonly ActivitySource ActivitySource = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> SnapshotsExported = Meter.CreateCounter<long>("hermit.snapshots.exported", description: "Snapshots written to the sync folder");
    private static readonly Counter<long> BytesExported = Meter.CreateCounter<long>("hermit.snapshots.bytes", unit: "By", description: "Bytes of snapshots written to the sync folder");

    private readonly SnapshotFolder _folder = new(options.Value.SyncFolder);
    private long? _exportedIndex;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _exportedIndex = _folder.List().LastOrDefault()?.AppliedIndex;
        using var timer = new PeriodicTimer(options.Value.PollInterval, clock);
        var folderReady = false;
        do
        {
            try
            {
                if (!folderReady)
                {
                    await syncthing.EnsureFolderAsync(options.Value.SyncthingFolderPath ?? _folder.Path, stoppingToken);
                    folderReady = true;
                }
                await ExportIfChangedAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                status.Failed(e.Message);
                logger.LogWarning(e, "Export failed; retrying in {Interval}", options.Value.PollInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task<SnapshotFolder.Snapshot?> ExportIfChangedAsync(CancellationToken cancellationToken)
    {
        var status1 = await rqlite.GetStatusAsync(cancellationToken);
        var appliedIndex = status1.GetProperty("store").GetProperty("db_applied_index").GetInt64();
        if (appliedIndex == _exportedIndex)
        {
            status.Succeeded(clock.GetUtcNow());
            return null;
        }

        using var activity = ActivitySource.StartActivity("export snapshot");
        activity?.SetTag("rqlite.db_applied_index", appliedIndex);
        var snapshot = await _folder.WriteAsync(appliedIndex, clock.GetUtcNow(), rqlite.BackupAsync, cancellationToken);
        _exportedIndex = appliedIndex;
        SnapshotsExported.Add(1);
        BytesExported.Add(snapshot.Bytes);
        activity?.SetTag("file.size", snapshot.Bytes);
        logger.LogInformation("Exported {File} ({Bytes} bytes) at Raft index {Index}", Path.GetFileName(snapshot.FilePath), snapshot.Bytes, appliedIndex);

        foreach (var expired in _folder.Prune(options.Value.KeepSnapshots))
        {
            logger.LogInformation("Removed old snapshot {File}", Path.GetFileName(expired.FilePath));
        }
        await syncthing.ScanAsync(cancellationToken);
        status.Succeeded(clock.GetUtcNow());
        return snapshot;
    }
}
