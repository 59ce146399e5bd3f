using System.Diagnostics;
using System.Threading.Channels;
using HermitSync.Rqlite;
using HermitSync.Sync;
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
    SyncKeyring keyring,
    SyncFolder folder,
    SyncHealth health,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<ChangeImporter> logger) : BackgroundService
{
    private readonly SyncOptions _options = options.Value;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly HashSet<(string Site, string Kind, long Seq)> _applied = [];
    private readonly HashSet<(string RelativePath, long Length)> _rejected = [];
    private string _siteId = "";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _siteId = (await SiteWaiter.WaitAsync(rqlite, logger, stoppingToken)).SiteId;
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
        var results = await rqlite.QueryAsync(
            [SqlStatement.Of("SELECT site_id, kind, file_seq FROM sync_applied"), SqlStatement.Of("SELECT DISTINCT file, bytes FROM sync_rejections")],
            ReadConsistency.Linearizable,
            cancellationToken);
        foreach (var row in results[0].Rows)
        {
            _applied.Add((row.GetString(0), row.GetString(1), row.GetInt64(2)));
        }
        // A file refused before a restart stays refused until it changes.
        foreach (var row in results[1].Rows)
        {
            _rejected.Add((row.GetString(0), row.GetInt64(1)));
        }
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
                if (!_applied.Contains((change.SiteId, change.Kind.ToString(), change.Sequence)) && await ApplyAsync(change, cancellationToken))
                {
                    applied++;
                }
            }
        }
        return applied;
    }

    private long AppliedSnapshotThrough(string siteId) =>
        _applied.Where(a => a.Site == siteId && a.Kind == nameof(ChangeFileKind.Snapshot)).Select(a => a.Seq).DefaultIfEmpty(0).Max();

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
        var statements = new List<SqlStatement>
        {
            SqlStatement.Of(
                "INSERT INTO sync_applied (site_id, kind, file_seq, file, rows, last_hlc, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                header.SiteId, header.Kind.ToString(), header.Sequence, name.RelativePath, revisions.Length, header.LastHlc, now),
        };
        if (revisions.Length > 0)
        {
            statements.AddRange(RevisionSql.Merge(revisions));
        }
        IReadOnlyList<RqliteResult> results;
        try
        {
            results = await rqlite.ExecuteAsync(statements, transaction: true, idempotent: true, cancellationToken);
        }
        catch (RqliteStatementException e) when (e.StatementIndex == 0 && e.IsConstraintViolation)
        {
            // Its row is already there: another pass, or a retry whose first try did land.
            _applied.Add((header.SiteId, header.Kind.ToString(), header.Sequence));
            return false;
        }
        _applied.Add((header.SiteId, header.Kind.ToString(), header.Sequence));

        var rowsApplied = revisions.Length > 0 ? results[1].RowsAffected : 0;
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

    private async Task<long> CountConflictsAsync(NoteRevision[] revisions, CancellationToken cancellationToken) =>
        (await rqlite.QueryAsync(
            SqlStatement.Of("SELECT count(*) FROM notes WHERE id IN (SELECT value FROM json_each(?)) AND conflicts > 0", RevisionSql.NoteIds(revisions)),
            ReadConsistency.Weak,
            cancellationToken)).Rows[0].GetInt64(0);

    private bool IsKnownRejected(string relativePath)
    {
        var info = new FileInfo(Path.Combine(folder.Root, relativePath));
        return info.Exists && _rejected.Contains((relativePath, info.Length));
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
        _rejected.Add((relativePath, info.Length));

        var now = time.GetUtcNow();
        Directory.CreateDirectory(_options.QuarantineFolder);
        var quarantined = Path.Combine(_options.QuarantineFolder, $"{now:yyyyMMdd'T'HHmmssfff}-{relativePath.Replace(Path.DirectorySeparatorChar, '_')}");
        File.Copy(info.FullName, quarantined, overwrite: true);
        await File.WriteAllTextAsync(quarantined + ".reason.txt", $"{reason}: {detail}{Environment.NewLine}", cancellationToken);

        await rqlite.ExecuteAsync(
            SqlStatement.Of(
                "INSERT INTO sync_rejections (file, site_id, reason, detail, bytes, rejected_at) VALUES (?, ?, ?, ?, ?, ?)",
                relativePath, siteId, reason.ToString(), detail, info.Length, now.ToUnixTimeMilliseconds()),
            cancellationToken: cancellationToken);
        SyncTelemetry.Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()));
        logger.LogWarning("Rejected {File}: {Reason}: {Detail} (copied to quarantine)", relativePath, reason, detail);
    }
}
