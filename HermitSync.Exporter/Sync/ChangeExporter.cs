using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using HermitSync.Exporter.Syncthing;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;
using OpenTelemetry;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// Writes this site's new revisions and property writes into the sync folder soon after they
/// are made: it polls for new local ones, waits for a burst of writes to settle, seals them into
/// one change file and asks Syncthing to rescan. Now and then it writes a snapshot of all the
/// site's revisions and winning property writes and removes the files the snapshot covers.
/// </summary>
public sealed class ChangeExporter(
    RqliteClient rqlite,
    SiteIdentity site,
    SyncthingClient syncthing,
    SyncKeyring keyring,
    SiteSigningKey signer,
    TrustedSites trusted,
    SyncFolder folder,
    SyncHealth health,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<ChangeExporter> logger) : BackgroundService
{
    private readonly SyncOptions _options = options.Value;
    private readonly string _siteId = site.SiteId;
    private ExportPosition _exported = ExportPosition.Start;
    private long _nextFileSeq;
    private int _filesSinceSnapshot;
    private DateTimeOffset _lastSnapshotAt;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // The loop and "Export now" share the cursor and the file sequence, so exports never overlap.
    private readonly SemaphoreSlim _exporting = new(1, 1);
    private readonly Wakeup _wakeup = new();
    // The passphrase epoch of the last export (at the start, of an own file under another epoch): once it moves, a snapshot under the new one lets this site's older files go.
    private string? _exportedUnder;
    private bool _waitingLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        RemovePlaintextSnapshots();
        await RestoreCursorAsync(stoppingToken);
        _started.TrySetResult();

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await OneAtATimeAsync(() => ExportOnceAsync(snapshotNow: false, stoppingToken), stoppingToken);
                health.ExportSucceeded();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                health.ExportFailed(e.Message);
                logger.LogWarning(e, "Export failed; retrying");
                await Task.Delay(_options.RetryDelay, time, stoppingToken);
                continue;
            }
            await _wakeup.WaitAsync(_options.PollInterval, time, stoppingToken);
        }
    }

    /// <summary>Exports now what is new: the API says this site wrote something.</summary>
    public void Wake() => _wakeup.Nudge();

    /// <summary>Whether the site is known and the cursor restored, so an export can run.</summary>
    public bool Started => _started.Task.IsCompleted;

    /// <summary>
    /// The dashboard's "Export now": exports what is new, then a snapshot, so a peer that lags
    /// or has just joined catches up from one file. Returns the files written.
    /// </summary>
    public async Task<IReadOnlyList<string>> ExportNowAsync(CancellationToken cancellationToken)
    {
        await _started.Task.WaitAsync(cancellationToken);
        return await OneAtATimeAsync(() => ExportOnceAsync(snapshotNow: true, cancellationToken), cancellationToken);
    }

    private async Task<T> OneAtATimeAsync<T>(Func<Task<T>> export, CancellationToken cancellationToken)
    {
        await _exporting.WaitAsync(cancellationToken);
        try
        {
            return await export();
        }
        finally
        {
            _exporting.Release();
        }
    }

    /// <summary>Exports what is new, if anything, and a snapshot when one is due or asked for. Returns the files written.</summary>
    private async Task<IReadOnlyList<string>> ExportOnceAsync(bool snapshotNow, CancellationToken cancellationToken)
    {
        var written = new List<string>();
        if (keyring.Passphrases.Writing?.Tag is not { } epoch)
        {
            if (!_waitingLogged)
            {
                _waitingLogged = true;
                logger.LogInformation("Nothing is exported until the Sync page sets a sync passphrase");
            }
            return written;
        }
        var epochMoved = _exportedUnder is not null && _exportedUnder != epoch;
        var newest = await NewestOwnAsync(cancellationToken);
        if (!_exported.Covers(newest))
        {
            newest = await SettleAsync(newest, cancellationToken);
            while (!_exported.Covers(newest))
            {
                written.Add(await ExportChangesAsync(newest, cancellationToken));
            }
        }
        var snapshotDue = snapshotNow
            || epochMoved
            || _filesSinceSnapshot >= _options.SnapshotEveryFiles
            || (_filesSinceSnapshot > 0 && time.GetUtcNow() - _lastSnapshotAt >= _options.SnapshotInterval);
        if (snapshotDue && await ExportSnapshotAsync(cancellationToken) is { } snapshot)
        {
            written.Add(snapshot);
        }
        if (written.Count > 0)
        {
            await syncthing.ScanAsync(SiteFolders.IdOf(_siteId), cancellationToken);
        }
        _exportedUnder = epoch;
        return written;
    }

    /// <summary>Earlier versions copied whole databases, unencrypted, into the folder. The folder must hold only ciphertext.</summary>
    private void RemovePlaintextSnapshots()
    {
        foreach (var legacy in Directory.Exists(folder.Root) ? Directory.GetFiles(folder.Root, "hermit-snapshot-*.db") : [])
        {
            File.Delete(legacy);
            logger.LogWarning("Removed {File}, an unencrypted snapshot written by an earlier version", Path.GetFileName(legacy));
        }
    }

    /// <summary>
    /// The cursor lives in rqlite, next to the data, and only there: whatever stands in the
    /// folder, which anyone with access to it can write, never moves it.
    /// </summary>
    private async Task RestoreCursorAsync(CancellationToken cancellationToken)
    {
        var cursor = await rqlite.QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Linearizable, cancellationToken);
        if (await RecoverOwnFilesAsync(cursor, cancellationToken) > 0)
        {
            cursor = await rqlite.QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Linearizable, cancellationToken);
        }
        _exported = cursor.Position;
        _nextFileSeq = cursor.LastFileSeq + 1;
        // A site that never wrote a snapshot counts from now, rather than writing one at once.
        _lastSnapshotAt = cursor.LastSnapshotAt > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(cursor.LastSnapshotAt) : time.GetUtcNow();
        _filesSinceSnapshot = cursor.FilesSinceSnapshot;
        _exportedUnder = OwnFileUnderAnotherEpoch();
        logger.LogInformation("Site {Site}: exported through local revision {Seq} and property write {PropertySeq}; next file {File}",
            _siteId, _exported.Revisions, _exported.Properties, _nextFileSeq);
    }

    /// <summary>
    /// The epoch of one of this site's own files other than the one it writes under, if any: the
    /// site moved to another epoch and stopped before its snapshot, so its first export writes one.
    /// </summary>
    private string? OwnFileUnderAnotherEpoch()
    {
        var writing = keyring.Passphrases.Writing?.Tag;
        var head = new byte[ChangeFile.EpochEnd];
        foreach (var name in folder.FilesOf(_siteId))
        {
            try
            {
                using var file = folder.OpenToRead(name.RelativePath);
                if (file is not null && RandomAccess.Read(file, head, 0) == head.Length && ChangeFile.EpochOf(head) is { } epoch && epoch != writing)
                {
                    return epoch;
                }
            }
            catch (ChangeFileRejectedException)
            {
                // Not a file this site wrote; the export skips its name as it comes to it.
            }
        }
        return null;
    }

    /// <summary>
    /// Takes back this site's own files that its ledger does not list: those written after the
    /// backup the database was restored from, or one whose ledger row a crash cut off. What they
    /// hold is merged, so the site's own revisions since the backup come back, and each is
    /// recorded as exported, so no later file takes its name: peers have applied it already and
    /// would never look at other content under it. A file that does not open is left to be
    /// skipped by name when the export reaches it. Returns how many were taken back.
    /// </summary>
    private async Task<int> RecoverOwnFilesAsync(ExportCursor cursor, CancellationToken cancellationToken)
    {
        var recovered = 0;
        var own = folder.Scan().Candidates.Where(c => c.Name.SiteId == _siteId && c.Name.Sequence > cursor.LastFileSeq).OrderBy(c => c.Name.Sequence);
        foreach (var candidate in own)
        {
            try
            {
                if (candidate.Name.Sequence - cursor.LastFileSeq > _options.RecoverWithinFiles)
                {
                    throw new ChangeFileRejectedException(RejectionReason.Replayed,
                        $"It is more than {_options.RecoverWithinFiles:N0} files past the ledger's last, {cursor.LastFileSeq}: it was planted, not written here.");
                }
                var content = folder.Read(candidate, _options.Limits.MaxFileBytes);
                if (content is null)
                {
                    continue;
                }
                var (header, changes) = ChangeFile.Open(keyring, trusted, content, _options.Limits, time.GetUtcNow());
                if (header.SiteId != _siteId || header.Kind != candidate.Name.Kind || header.Sequence != candidate.Name.Sequence)
                {
                    throw new ChangeFileRejectedException(RejectionReason.Replayed, $"Its header says {header.Kind} {header.Sequence} of site {header.SiteId}.");
                }
                var file = new ExportedFile(header.Sequence, header.Kind, candidate.RelativePath, cursor.ExportedThrough, changes.Count, content.Length, header.LastHlc,
                    time.GetUtcNow().ToUnixTimeMilliseconds(), cursor.PropertiesExportedThrough);
                var merged = await rqlite.ExecuteAsync(SyncLedgerSql.RecoverExport(file, changes), idempotent: true, cancellationToken);
                recovered++;
                logger.LogInformation("Took back {File}, this site's own file that its ledger did not list: {Merged} of its {Total} revisions and property writes were missing here",
                    candidate.RelativePath, merged, changes.Count);
            }
            catch (Exception e) when (e is ChangeFileRejectedException or ChangeFileDeferredException)
            {
                logger.LogWarning("Could not take back {File}: {Reason}; its name is skipped", candidate.RelativePath, e.Message);
            }
        }
        return recovered;
    }

    /// <summary>The poll runs ten times a second; it is kept out of the traces so the exports stand out.</summary>
    private async Task<ExportPosition> NewestOwnAsync(CancellationToken cancellationToken)
    {
        using var quiet = SuppressInstrumentationScope.Begin();
        return await rqlite.QueryAsync(SyncLedgerSql.NewestOwn(_siteId), ReadConsistency.Weak, cancellationToken);
    }

    /// <summary>Waits until nothing new arrived for one debounce period, or the maximum wait passed.</summary>
    private async Task<ExportPosition> SettleAsync(ExportPosition newest, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (time.GetElapsedTime(started) < _options.MaxDebounce)
        {
            await Task.Delay(_options.Debounce, time, cancellationToken);
            var now = await NewestOwnAsync(cancellationToken);
            if (now == newest)
            {
                break;
            }
            newest = now;
        }
        return newest;
    }

    private async Task<string> ExportChangesAsync(ExportPosition through, CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.ActivitySource.StartActivity("sync export");
        var rows = await rqlite.QueryAsync(RevisionSql.Since(_siteId, _exported.Revisions, through.Revisions, _options.MaxRowsPerFile), ReadConsistency.Weak, cancellationToken);
        var properties = await rqlite.QueryAsync(PropertySql.Since(_siteId, _exported.Properties, through.Properties, _options.MaxRowsPerFile), ReadConsistency.Weak, cancellationToken);
        var propertiesLeftOut = false;
        ChangeSet Content() => new(rows.Select(r => r.Revision).ToArray(), properties.Select(p => p.Change).ToArray());
        // Cut to what a peer accepts, revisions first: the rest goes into the next file.
        while (rows.Count + properties.Count > 1 && ChangeFile.ContentBytes(Content()) > Math.Min(_options.MaxChangeFileBytes, _options.Limits.MaxContentBytes))
        {
            if (rows.Count > 0 && properties.Count > 0)
            {
                (properties, propertiesLeftOut) = ([], true);
            }
            else if (rows.Count > 1)
            {
                rows = rows.Take(rows.Count / 2).ToArray();
            }
            else
            {
                properties = properties.Take(properties.Count / 2).ToArray();
            }
        }
        // Own rows are never cut to none, so none means there were none up to through.
        var position = new ExportPosition(
            rows.Count == 0 ? through.Revisions : rows[^1].Seq,
            properties.Count > 0 ? properties[^1].Seq : propertiesLeftOut ? _exported.Properties : through.Properties);
        var path = await WriteAsync(ChangeFileKind.Changes, Content(), position, activity, cancellationToken);
        _filesSinceSnapshot++;
        return path;
    }

    /// <summary>
    /// All of this site's revisions (those replaced long ago without their body, see
    /// <see cref="RevisionSql.Snapshot"/>) and winning property writes in one file. It covers
    /// every earlier file of this site, so those are removed; nothing later than what the snapshot
    /// holds is touched. When they no longer fit in one file a peer accepts, there is no
    /// snapshot, and the change files stay.
    /// </summary>
    private async Task<string?> ExportSnapshotAsync(CancellationToken cancellationToken)
    {
        using var activity = SyncTelemetry.ActivitySource.StartActivity("sync snapshot");
        var through = _exported;
        var keepSince = HybridLogicalClock.FromPhysical((time.GetUtcNow() - _options.SnapshotKeepFor).ToUnixTimeMilliseconds());
        _filesSinceSnapshot = 0;
        _lastSnapshotAt = time.GetUtcNow();
        var budget = _options.Limits.MaxContentBytes;
        var revisions = await ReadWithinAsync(
            (after, limit) => RevisionSql.Snapshot(_siteId, after, through.Revisions, limit, _options.SnapshotKeepVersions, keepSince),
            r => r.Seq, r => ChangeSet.TextBytes(r.Revision), budget, cancellationToken);
        var properties = revisions is null ? null : await ReadWithinAsync(
            (after, limit) => PropertySql.Since(_siteId, after, through.Properties, limit),
            p => p.Seq, p => ChangeSet.TextBytes(p.Change), budget - revisions.Sum(r => ChangeSet.TextBytes(r.Revision)), cancellationToken);
        var content = revisions is null || properties is null ? null : new ChangeSet(revisions.Select(r => r.Revision).ToArray(), properties.Select(p => p.Change).ToArray());
        if (content is null || ChangeFile.ContentBytes(content) > budget)
        {
            logger.LogWarning("No snapshot: this site's revisions and property writes are more than one file may hold ({Limit} bytes); its change files stay in the folder", budget);
            return null;
        }
        var snapshotSeq = _nextFileSeq;
        var path = await WriteAsync(ChangeFileKind.Snapshot, content, through, activity, cancellationToken);

        var covered = folder.FilesOf(_siteId).Where(n => n.Sequence < snapshotSeq).ToArray();
        foreach (var old in covered)
        {
            File.Delete(folder.PathOf(old));
        }
        logger.LogInformation("Snapshot {File} holds {Rows} revisions ({Pruned} without their body) and {Properties} property writes; removed {Covered} files it covers",
            Path.GetFileName(path), content.Revisions.Length, content.Revisions.Count(r => r.Pruned), content.Properties.Length, covered.Length);
        return path;
    }

    /// <summary>
    /// Every row a paged query of this site's own rows returns, page by page in sequence order;
    /// null as soon as their text passes <paramref name="budget"/>, so what cannot fit in a file is never all held.
    /// </summary>
    private async Task<List<T>?> ReadWithinAsync<T>(Func<long, int, SqlQuery<IReadOnlyList<T>>> page, Func<T, long> seq, Func<T, long> bytes, long budget, CancellationToken cancellationToken)
    {
        var all = new List<T>();
        long after = 0, used = 0;
        while (await rqlite.QueryAsync(page(after, _options.MaxRowsPerFile), ReadConsistency.Weak, cancellationToken) is { Count: > 0 } rows)
        {
            used += rows.Sum(bytes);
            if (used > budget)
            {
                return null;
            }
            all.AddRange(rows);
            after = seq(rows[^1]);
        }
        return all;
    }

    private async Task<string> WriteAsync(ChangeFileKind kind, ChangeSet changes, ExportPosition through, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        ChangeFileName name;
        byte[] content;
        while (true)
        {
            name = new ChangeFileName(_siteId, kind, _nextFileSeq);
            // The importing site continues this trace from the header.
            content = ChangeFile.Seal(keyring, signer, kind, _siteId, name.Sequence, changes, activity?.Context ?? default);
            if (await folder.TryWriteOnceAsync(name, content, cancellationToken))
            {
                break;
            }
            await ReportNameTakenAsync(name, cancellationToken);
            _nextFileSeq++;
        }
        var path = folder.PathOf(name);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var exported = new ExportedFile(name.Sequence, kind, name.RelativePath, through.Revisions, changes.Count, content.Length, changes.LastHlc, now, through.Properties);
        await rqlite.ExecuteAsync(SyncLedgerSql.RecordExport(exported), idempotent: true, cancellationToken);
        _nextFileSeq++;
        _exported = _exported.Max(through);

        activity?.SetTag("hermit.sync.file", name.RelativePath);
        activity?.SetTag("hermit.sync.rows", changes.Count);
        activity?.SetTag("file.size", content.Length);
        SyncTelemetry.FilesExported.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
        SyncTelemetry.RowsExported.Add(changes.Count);
        SyncTelemetry.BytesExported.Add(content.Length);
        logger.LogInformation("Exported {File}: {Rows} revisions, {Properties} property writes, {Bytes} bytes",
            name.RelativePath, changes.Revisions.Length, changes.Properties.Length, content.Length);
        return path;
    }

    /// <summary>
    /// A file stands where this site's next one goes: nobody but this site writes there, so it
    /// was planted, or left by a crash before its ledger row. Either way the name is skipped, and
    /// the Sync page says so; the planted file is left for what it is, a peer's refusal at worst.
    /// </summary>
    private async Task ReportNameTakenAsync(ChangeFileName name, CancellationToken cancellationToken)
    {
        var detail = $"A file already stood at {name.FileName}, this site's next name; it was skipped and the export went on under the next one.";
        await rqlite.ExecuteAsync(
            SyncLedgerSql.RecordRejection(new RejectedFile(name.RelativePath, _siteId, nameof(RejectionReason.NameTaken), detail, new FileInfo(folder.PathOf(name)).Length,
                time.GetUtcNow().ToUnixTimeMilliseconds(), $"name-taken:{name.RelativePath}")),
            idempotent: false,
            cancellationToken);
        SyncTelemetry.Rejections.Add(1, new KeyValuePair<string, object?>("reason", nameof(RejectionReason.NameTaken)));
        logger.LogWarning("Skipped {File}: {Detail}", name.RelativePath, detail);
    }
}

