using System.Diagnostics;
using System.Threading.Channels;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// Applies other sites' files as they arrive: a file watcher (and Syncthing's rescans, which
/// land files under their final names) wakes it, and a periodic scan is the backstop. Each
/// file is verified, then merged in one rqlite transaction together with the row that marks
/// it applied, so a file is applied once or not at all. Files that fail verification are
/// copied to the quarantine, recorded with their reason, and never applied.
/// </summary>
public sealed class ChangeImporter(
    RqliteClient rqlite,
    SiteIdentity site,
    SyncKeyring keyring,
    SyncFolder folder,
    SyncHealth health,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<ChangeImporter> logger) : BackgroundService
{
    private readonly SyncOptions _options = options.Value;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly HashSet<AppliedFileKey> _applied = [];
    private readonly HashSet<RejectedVersion> _rejected = [];
    private readonly string _siteId = site.SiteId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await LoadAppliedAsync(stoppingToken);
        using var watcher = Watch();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ImportAvailableAsync(stoppingToken);
                health.ImportSucceeded();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                health.ImportFailed(e.Message);
                logger.LogWarning(e, "Import pass failed; retrying");
            }
            using var backstop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            backstop.CancelAfter(_options.RescanInterval);
            try
            {
                await _wake.Reader.ReadAsync(backstop.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>Looks at the folder now, e.g. because Syncthing reported a finished file.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    private FileSystemWatcher Watch()
    {
        var sites = Path.Combine(folder.Root, ChangeFileName.SitesFolder);
        Directory.CreateDirectory(sites);
        var watcher = new FileSystemWatcher(sites) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size };
        watcher.Created += (_, _) => Wake();
        watcher.Changed += (_, _) => Wake();
        watcher.Renamed += (_, _) => Wake();
        watcher.Error += (_, e) =>
        {
            logger.LogWarning(e.GetException(), "The file watcher failed; the periodic scan continues");
            Wake();
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private async Task LoadAppliedAsync(CancellationToken cancellationToken)
    {
        _applied.UnionWith(await rqlite.QueryAsync(SyncLedgerSql.Applied, ReadConsistency.Linearizable, cancellationToken));
        // A file refused before a restart stays refused until it changes.
        _rejected.UnionWith(await rqlite.QueryAsync(SyncLedgerSql.Rejected, ReadConsistency.Linearizable, cancellationToken));
    }

    /// <summary>Applies every peer file not applied yet: per site, the newest snapshot first, then later changes in order.</summary>
    public async Task<int> ImportAvailableAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        var files = folder.Files().ToArray();
        foreach (var (relativePath, _) in files.Where(f => f.Name is null))
        {
            await RejectOnceAsync(relativePath, null, RejectionReason.NotAChangeFile, "Its name is not a Hermit Sync change file's name.", cancellationToken);
        }
        foreach (var site in files.Select(f => f.Name).OfType<ChangeFileName>().Where(n => n.SiteId != _siteId).GroupBy(n => n.SiteId))
        {
            var snapshot = site.Where(n => n.Kind == ChangeFileKind.Snapshot).MaxBy(n => n.Sequence);
            var coveredThrough = AppliedSnapshotThrough(site.Key);
            if (snapshot is not null && snapshot.Sequence > coveredThrough && await ApplyAsync(snapshot, cancellationToken))
            {
                applied++;
                coveredThrough = snapshot.Sequence;
            }
            foreach (var change in site.Where(n => n.Kind == ChangeFileKind.Changes && n.Sequence > coveredThrough).OrderBy(n => n.Sequence))
            {
                if (!_applied.Contains(new AppliedFileKey(change.SiteId, change.Kind, change.Sequence)) && await ApplyAsync(change, cancellationToken))
                {
                    applied++;
                }
            }
        }
        return applied;
    }

    private long AppliedSnapshotThrough(string siteId) =>
        _applied.Where(a => a.SiteId == siteId && a.Kind == ChangeFileKind.Snapshot).Select(a => a.FileSeq).DefaultIfEmpty(0).Max();

    private async Task<bool> ApplyAsync(ChangeFileName name, CancellationToken cancellationToken)
    {
        var path = folder.PathOf(name);
        if (IsKnownRejected(name.RelativePath))
        {
            return false;
        }
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        // The span starts once the file has verified, as a child of the export that wrote it, but covers the verification too.
        var started = time.GetUtcNow();
        ChangeFileHeader header;
        NoteRevision[] revisions;
        try
        {
            (header, revisions) = ChangeFile.Open(keyring, content);
            if (header.SiteId != name.SiteId || header.Kind != name.Kind || header.Sequence != name.Sequence)
            {
                throw new ChangeFileRejectedException(RejectionReason.Replayed,
                    $"Its header says {header.Kind} {header.Sequence} of site {header.SiteId}, but it is stored as {name.RelativePath}.");
            }
        }
        catch (ChangeFileRejectedException rejected)
        {
            using var refused = StartImportActivity(name, parent: default, started);
            refused?.SetStatus(ActivityStatusCode.Error, rejected.Reason.ToString());
            await RejectOnceAsync(name.RelativePath, name.SiteId, rejected.Reason, rejected.Detail, cancellationToken);
            return false;
        }
        using var activity = StartImportActivity(name, header.TraceContext, started);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var file = new AppliedFile(header.SiteId, header.Kind, header.Sequence, name.RelativePath, revisions.Length, header.LastHlc, now);
        long rowsApplied;
        try
        {
            rowsApplied = await rqlite.ExecuteAsync(SyncLedgerSql.ApplyFile(file, revisions), idempotent: true, cancellationToken);
        }
        catch (RqliteStatementException e) when (SyncLedgerSql.AppliedBefore(e))
        {
            // Another pass, or a retry whose first try did land.
            _applied.Add(file.Key);
            return false;
        }
        _applied.Add(file.Key);

        var conflicted = revisions.Length > 0 ? await CountConflictsAsync(revisions, cancellationToken) : 0;
        var lag = Math.Max(0, now - HybridLogicalClock.Physical(header.LastHlc)) / 1000.0;
        SyncTelemetry.FilesImported.Add(1, new KeyValuePair<string, object?>("kind", header.Kind.ToString()));
        SyncTelemetry.RowsApplied.Add(rowsApplied);
        SyncTelemetry.BytesImported.Add(content.Length);
        SyncTelemetry.Conflicts.Add(conflicted);
        if (header.Kind == ChangeFileKind.Changes)
        {
            SyncTelemetry.Lag.Record(lag);
        }
        activity?.SetTag("hermit.sync.rows", rowsApplied);
        logger.LogInformation("Applied {File}: {Rows} of {Total} revisions new, {Conflicts} notes in conflict, {Lag:0.000} s after it was written",
            name.RelativePath, rowsApplied, revisions.Length, conflicted, lag);
        return true;
    }

    private static Activity? StartImportActivity(ChangeFileName name, ActivityContext parent, DateTimeOffset started) =>
        SyncTelemetry.ActivitySource.StartActivity("sync import", ActivityKind.Consumer, parent,
            tags: [new("hermit.sync.file", name.RelativePath)], startTime: started);

    private Task<long> CountConflictsAsync(NoteRevision[] revisions, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(NoteSql.CountInConflict(revisions.Select(r => r.NoteId)), ReadConsistency.Weak, cancellationToken);

    private bool IsKnownRejected(string relativePath)
    {
        var info = new FileInfo(Path.Combine(folder.Root, relativePath));
        return info.Exists && _rejected.Contains(new RejectedVersion(relativePath, info.Length));
    }

    /// <summary>
    /// Records a refused file once per version of it. The file is copied, not moved: moving it
    /// would make Syncthing delete it on every peer, the intact original at its author included.
    /// </summary>
    private async Task RejectOnceAsync(string relativePath, string? siteId, RejectionReason reason, string detail, CancellationToken cancellationToken)
    {
        var info = new FileInfo(Path.Combine(folder.Root, relativePath));
        if (!info.Exists || IsKnownRejected(relativePath))
        {
            return;
        }
        _rejected.Add(new RejectedVersion(relativePath, info.Length));

        var now = time.GetUtcNow();
        Directory.CreateDirectory(_options.QuarantineFolder);
        var quarantined = Path.Combine(_options.QuarantineFolder, $"{now:yyyyMMdd'T'HHmmssfff}-{relativePath.Replace(Path.DirectorySeparatorChar, '_')}");
        File.Copy(info.FullName, quarantined, overwrite: true);
        if (!OperatingSystem.IsWindows())
        {
            // A copy keeps its source's mode, and a file from a peer may be readable by anyone.
            File.SetUnixFileMode(quarantined, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await File.WriteAllTextAsync(quarantined + ".reason.txt", $"{reason}: {detail}{Environment.NewLine}", cancellationToken);

        await rqlite.ExecuteAsync(
            SyncLedgerSql.RecordRejection(new RejectedFile(relativePath, siteId, reason.ToString(), detail, info.Length, now.ToUnixTimeMilliseconds())),
            cancellationToken: cancellationToken);
        SyncTelemetry.Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
        logger.LogWarning("Rejected {File}: {Reason}: {Detail} (copied to quarantine)", relativePath, reason, detail);
    }
}
