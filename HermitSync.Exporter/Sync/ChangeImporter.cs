using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using HermitSync.Exporter.Attachments;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// Applies other sites' files as they arrive: a file the watcher names is looked at on its own at
/// once, so thousands of entries already judged do not delay it; Syncthing's events, a watcher
/// error and a periodic timer bring a scan of the whole folder, the backstop. Each entry of the folder is a peer's input and gets one
/// outcome: applied, refused with a reason (recorded, counted, shown and quarantined), or put off
/// while a new site's key waits its turn. Nothing one entry does stops the pass: whatever goes
/// wrong with it becomes its refusal, and the next entry is looked at. A verified file is merged
/// in one rqlite transaction together with the row that marks it applied, so it is applied once
/// or not at all.
/// </summary>
public sealed class ChangeImporter(
    RqliteClient rqlite,
    SiteIdentity site,
    SyncKeyring keyring,
    TrustedSites trusted,
    SiteCards cards,
    SyncFolder folder,
    Quarantine quarantine,
    AttachmentReceiver attachments,
    SyncHealth health,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<ChangeImporter> logger) : BackgroundService
{
    /// <summary>Refusals are written to rqlite in transactions of this many rows.</summary>
    private const int RejectionsPerTransaction = 500;

    private readonly SyncOptions _options = options.Value;
    private readonly Wakeup _wakeup = new();
    private readonly HashSet<AppliedFileKey> _applied = [];
    private readonly HashSet<string> _refusedContent = new(StringComparer.Ordinal);
    // What each candidate held when last read, so an unchanged file is not read again to learn it was refused.
    private readonly Dictionary<string, (long Length, DateTime Modified, string Hash)> _seen = new(StringComparer.Ordinal);
    // Entries the watcher named since the last pass.
    private readonly ConcurrentQueue<string> _named = new();
    private volatile bool _scanDue = true;
    private readonly string _siteId = site.SiteId;
    // When each attachment under an epoch no site has announced here was first seen, by its fingerprint.
    private readonly Dictionary<string, DateTimeOffset> _unannounced = new(StringComparer.Ordinal);
    // Attachments are named under each passphrase epoch: a new one means new names for the content here.
    private volatile bool _passphrasesChanged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        keyring.Passphrases.Changed += () =>
        {
            _passphrasesChanged = true;
            Wake();
        };
        await LoadLedgerAsync(stoppingToken);
        await cards.PublishAsync(stoppingToken);
        using var watcher = Watch();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (_passphrasesChanged)
                {
                    _passphrasesChanged = false;
                    await attachments.LoadAsync(stoppingToken);
                }
                if (_scanDue)
                {
                    // Whatever is named from here on is seen by the scan, or looked at again after it.
                    _scanDue = false;
                    _named.Clear();
                    await ImportAvailableAsync(stoppingToken);
                }
                else
                {
                    await ImportNamedAsync(stoppingToken);
                }
                health.ImportSucceeded();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _scanDue = true;
                health.ImportFailed(e.Message);
                logger.LogWarning(e, "Import pass failed; retrying");
            }
            if (!await _wakeup.WaitAsync(_options.RescanInterval, time, stoppingToken))
            {
                _scanDue = true;
            }
        }
    }

    /// <summary>Looks at the whole folder now, e.g. because Syncthing reported a finished file.</summary>
    public void Wake()
    {
        _scanDue = true;
        _wakeup.Nudge();
    }

    /// <summary>Looks at one entry, on its own, now: the watcher or Syncthing named it.</summary>
    public void Arrived(string relativePath)
    {
        _named.Enqueue(relativePath);
        _wakeup.Nudge();
    }

    private FileSystemWatcher Watch()
    {
        Directory.CreateDirectory(folder.Sites);
        var watcher = new FileSystemWatcher(folder.Sites) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size };
        watcher.Created += (_, e) => Arrived(Path.GetRelativePath(folder.Root, e.FullPath));
        watcher.Changed += (_, e) => Arrived(Path.GetRelativePath(folder.Root, e.FullPath));
        watcher.Renamed += (_, e) => Arrived(Path.GetRelativePath(folder.Root, e.FullPath));
        watcher.Error += (_, e) =>
        {
            logger.LogWarning(e.GetException(), "The file watcher failed; the periodic scan continues");
            Wake();
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private async Task LoadLedgerAsync(CancellationToken cancellationToken)
    {
        _applied.UnionWith(await rqlite.QueryAsync(SyncLedgerSql.Applied, ReadConsistency.Linearizable, cancellationToken));
        // What was refused before a restart stays refused; other content under the same name is looked at again.
        _refusedContent.UnionWith(await rqlite.QueryAsync(SyncLedgerSql.RejectedContent, ReadConsistency.Linearizable, cancellationToken));
        await attachments.LoadAsync(cancellationToken);
    }

    /// <summary>
    /// One pass over the folder: each entry once. Per site, the newest snapshot first, then later
    /// changes in order; the sites whose files have applied before go first, so a flood of strangers
    /// delays no real peer. Refusals are recorded together at the end.
    /// </summary>
    public async Task<int> ImportAvailableAsync(CancellationToken cancellationToken)
    {
        var scan = folder.Scan();
        var (candidates, strangers) = scan;
        // By what each held: the same content under two names is one refusal.
        var refusals = new Dictionary<string, Refusal>(StringComparer.Ordinal);
        foreach (var stranger in strangers.Where(s => !_refusedContent.Contains(s.Fingerprint)))
        {
            Refuse(refusals, new Refusal(stranger.RelativePath, stranger.SiteId, stranger.Reason, stranger.Detail, 0, stranger.Fingerprint), content: null);
        }
        // First the keys: what the cards teach decides which sites' files can be read in this pass.
        foreach (var refused in await cards.LearnAsync(scan.Cards, cancellationToken))
        {
            Refuse(refusals, new Refusal(refused.Card.RelativePath, refused.Card.SiteId, refused.Reason.Reason, refused.Reason.Detail,
                refused.Content?.Length ?? refused.Card.Length, SiteCards.FingerprintOf(refused)), refused.Content);
        }

        var applied = 0;
        try
        {
            var knownSites = _applied.Select(a => a.SiteId).ToHashSet(StringComparer.Ordinal);
            // A site no key is trusted for yet waits, unread, until a card teaches one.
            trusted.Found(candidates.Select(c => c.Name.SiteId));
            var sites = candidates.Where(c => c.Name.SiteId != _siteId && trusted.KeyOf(c.Name.SiteId) is not null)
                .GroupBy(c => c.Name.SiteId).OrderBy(g => knownSites.Contains(g.Key) ? 0 : 1);
            foreach (var siteFiles in sites)
            {
                var coveredThrough = AppliedSnapshotThrough(siteFiles.Key);
                var snapshot = siteFiles.Where(c => c.Name.Kind == ChangeFileKind.Snapshot).MaxBy(c => c.Name.Sequence);
                if (snapshot is not null && snapshot.Name.Sequence > coveredThrough && await TryApplyAsync(snapshot, refusals, cancellationToken))
                {
                    applied++;
                    coveredThrough = snapshot.Name.Sequence;
                }
                foreach (var change in siteFiles.Where(c => c.Name.Kind == ChangeFileKind.Changes && c.Name.Sequence > coveredThrough).OrderBy(c => c.Name.Sequence))
                {
                    if (!_applied.Contains(Key(change.Name)) && await TryApplyAsync(change, refusals, cancellationToken))
                    {
                        applied++;
                    }
                }
            }
            // After the notes that link to them: a placeholder shows until each arrives.
            var missing = scan.Attachments.Where(a => a.Name.SiteId != _siteId && !attachments.IsHere(a)).ToList();
            foreach (var attachment in missing)
            {
                if (await TryReceiveAsync(attachment, refusals, cancellationToken))
                {
                    applied++;
                }
            }
            if (_unannounced.Count > 0)
            {
                _unannounced.Keys.Except(missing.Select(Fingerprint)).ToList().ForEach(gone => _unannounced.Remove(gone));
            }
        }
        finally
        {
            if (_seen.Count > candidates.Count)
            {
                _seen.Keys.Except(candidates.Select(c => c.RelativePath)).ToList().ForEach(gone => _seen.Remove(gone));
            }
            await RecordAsync(refusals, cancellationToken);
        }
        return applied;
    }

    /// <summary>
    /// The entries the watcher named, each on its own, in the order a scan would take them. An
    /// entry that is no plain change file is left to a scan of the whole folder, which reports it.
    /// </summary>
    private async Task<int> ImportNamedAsync(CancellationToken cancellationToken)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        while (_named.TryDequeue(out var path))
        {
            named.Add(path);
        }
        var candidates = new List<FolderCandidate>();
        foreach (var (kind, candidate) in named.Select(folder.Look))
        {
            if (kind == SyncFolder.NamedEntry.Stranger)
            {
                Wake();
            }
            else if (candidate is not null && candidate.Name.SiteId != _siteId && trusted.KeyOf(candidate.Name.SiteId) is not null && !_applied.Contains(Key(candidate.Name))
                && candidate.Name.Sequence > AppliedSnapshotThrough(candidate.Name.SiteId))
            {
                candidates.Add(candidate);
            }
        }
        var refusals = new Dictionary<string, Refusal>(StringComparer.Ordinal);
        var applied = 0;
        try
        {
            foreach (var candidate in candidates.OrderBy(c => c.Name.SiteId, StringComparer.Ordinal)
                .ThenBy(c => c.Name.Kind == ChangeFileKind.Snapshot ? 0 : 1).ThenBy(c => c.Name.Sequence))
            {
                if (!_applied.Contains(Key(candidate.Name)) && await TryApplyAsync(candidate, refusals, cancellationToken))
                {
                    applied++;
                }
            }
        }
        finally
        {
            await RecordAsync(refusals, cancellationToken);
        }
        // Refusals may be the start of a flood: scans of the whole folder take it in large batches,
        // known sites first, where passes of a few named files each would record it a row at a time.
        if (refusals.Count > 0)
        {
            Wake();
        }
        return applied;
    }

    private long AppliedSnapshotThrough(string siteId) =>
        _applied.Where(a => a.SiteId == siteId && a.Kind == ChangeFileKind.Snapshot).Select(a => a.FileSeq).DefaultIfEmpty(0).Max();

    private long AppliedThrough(string siteId) =>
        _applied.Where(a => a.SiteId == siteId).Select(a => a.FileSeq).DefaultIfEmpty(0).Max();

    /// <summary>
    /// One candidate's outcome. A failure of rqlite is not the file's fault: it ends the pass and
    /// the file is looked at again. Any other failure refuses the file, with what went wrong.
    /// </summary>
    private async Task<bool> TryApplyAsync(FolderCandidate candidate, Dictionary<string, Refusal> refusals, CancellationToken cancellationToken)
    {
        if (_seen.TryGetValue(candidate.RelativePath, out var seen) && seen.Length == candidate.Length && seen.Modified == candidate.ModifiedUtc
            && _refusedContent.Contains(seen.Hash))
        {
            return false;
        }
        byte[]? content = null;
        string? hash = null;
        try
        {
            if (candidate.Name.Sequence - AppliedThrough(candidate.Name.SiteId) > _options.MaxSequenceJump)
            {
                throw new ChangeFileRejectedException(RejectionReason.TooFarAhead,
                    $"It is numbered more than {_options.MaxSequenceJump:N0} files past the last of site {candidate.Name.SiteId} applied here, {AppliedThrough(candidate.Name.SiteId)}.");
            }
            content = folder.Read(candidate, _options.Limits.MaxFileBytes);
            if (content is null)
            {
                return false;
            }
            hash = Convert.ToHexStringLower(SHA256.HashData(content));
            _seen[candidate.RelativePath] = (candidate.Length, candidate.ModifiedUtc, hash);
            return !_refusedContent.Contains(hash) && await ApplyAsync(candidate.Name, content, cancellationToken);
        }
        catch (ChangeFileRejectedException rejected)
        {
            // A genuine file under a name it does not belong to is refused there only: the same
            // bytes under their own name, which a relay may deliver later, are still applied.
            var refusedAs = hash is null ? Unread(candidate) : rejected.Reason == RejectionReason.Replayed ? UnderItsName(hash, candidate.RelativePath) : hash;
            if (hash is not null)
            {
                _seen[candidate.RelativePath] = (candidate.Length, candidate.ModifiedUtc, refusedAs);
            }
            Refuse(refusals, new Refusal(candidate.RelativePath, candidate.Name.SiteId, rejected.Reason, rejected.Detail, content?.Length ?? candidate.Length, refusedAs), content);
        }
        catch (ChangeFileDeferredException deferred)
        {
            SyncTelemetry.KeysDeferred.Add(1);
            if (deferred.RetryAfter is { } retryAfter)
            {
                _ = WakeAfterAsync(retryAfter, cancellationToken);
            }
        }
        catch (Exception e) when (e is not (RqliteException or OperationCanceledException))
        {
            Refuse(refusals, new Refusal(candidate.RelativePath, candidate.Name.SiteId, RejectionReason.Unreadable, $"It could not be handled: {e.Message}",
                content?.Length ?? candidate.Length, hash ?? Unread(candidate)), content);
        }
        return false;
    }

    /// <summary>
    /// One attachment's outcome, as <see cref="TryApplyAsync"/> gives a change file's. A refused
    /// attachment is remembered by its name, length and time, since its content is not held: a
    /// changed file under the name is looked at again.
    /// </summary>
    private async Task<bool> TryReceiveAsync(AttachmentCandidate candidate, Dictionary<string, Refusal> refusals, CancellationToken cancellationToken)
    {
        var fingerprint = Fingerprint(candidate);
        if (_refusedContent.Contains(fingerprint))
        {
            return false;
        }
        try
        {
            return await attachments.ReceiveAsync(candidate, cancellationToken);
        }
        catch (ChangeFileRejectedException rejected)
        {
            Refuse(refusals, new Refusal(candidate.RelativePath, candidate.Name.SiteId, rejected.Reason, rejected.Detail, candidate.Length, fingerprint), content: null);
        }
        catch (ChangeFileDeferredException deferred) when (deferred.Unannounced)
        {
            SyncTelemetry.KeysDeferred.Add(1);
            if (!_unannounced.TryGetValue(fingerprint, out var since))
            {
                _unannounced[fingerprint] = time.GetUtcNow();
                // One look when its patience ends, however many scans pass over it meanwhile.
                _ = WakeAfterAsync(_options.UnannouncedEpochPatience, cancellationToken);
            }
            else if (time.GetUtcNow() - since >= _options.UnannouncedEpochPatience)
            {
                _unannounced.Remove(fingerprint);
                var patience = _options.UnannouncedEpochPatience;
                var waited = patience.TotalMinutes >= 1 ? $"{patience.TotalMinutes:0.#} minutes" : $"{patience.TotalSeconds:0.#} s";
                Refuse(refusals, new Refusal(candidate.RelativePath, candidate.Name.SiteId, RejectionReason.WrongKey,
                    $"{deferred.Message} No word of it came in {waited} (Sync:UnannouncedEpochPatience).", candidate.Length, fingerprint), content: null);
            }
        }
        catch (ChangeFileDeferredException deferred)
        {
            SyncTelemetry.KeysDeferred.Add(1);
            if (deferred.RetryAfter is { } retryAfter)
            {
                _ = WakeAfterAsync(retryAfter, cancellationToken);
            }
        }
        catch (Exception e) when (e is not (RqliteException or OperationCanceledException))
        {
            Refuse(refusals, new Refusal(candidate.RelativePath, candidate.Name.SiteId, RejectionReason.Unreadable, $"It could not be handled: {e.Message}", candidate.Length, fingerprint), content: null);
        }
        return false;
    }

    /// <summary>
    /// Keeps a copy at once, so no refused file's content is held in memory past this call, and
    /// queues the refusal for the ledger. Content already refused under another name is not kept twice.
    /// </summary>
    private void Refuse(Dictionary<string, Refusal> refusals, Refusal refusal, byte[]? content)
    {
        if (_refusedContent.Contains(refusal.ContentHash) || !refusals.TryAdd(refusal.ContentHash, refusal))
        {
            return;
        }
        quarantine.Keep(refusal.RelativePath, content, refusal.Reason, refusal.Detail);
    }

    /// <summary>A file refused before it was read is remembered by its name, length and time, all there is to go by.</summary>
    private static string UnderItsName(string contentHash, string relativePath) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"named\0{contentHash}\0{relativePath}")));

    private static string Unread(FolderCandidate candidate) => Unread(candidate.RelativePath, candidate.Length, candidate.ModifiedUtc);

    /// <summary>An attachment is known by its name, length and time, since its content is not held.</summary>
    private static string Fingerprint(AttachmentCandidate candidate) => Unread(candidate.RelativePath, candidate.Length, candidate.ModifiedUtc);

    private static string Unread(string relativePath, long length, DateTime modifiedUtc) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"unread\0{relativePath}\0{length}\0{modifiedUtc:O}")));

    private async Task WakeAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            Wake();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<bool> ApplyAsync(ChangeFileName name, byte[] content, CancellationToken cancellationToken)
    {
        // The span starts once the file has verified, as a child of the export that wrote it, but covers the verification too.
        var started = time.GetUtcNow();
        ChangeFileHeader header;
        ChangeSet changes;
        try
        {
            (header, changes) = ChangeFile.Open(keyring, trusted, content, _options.Limits, started);
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
            throw;
        }
        using var activity = StartImportActivity(name, header.TraceContext, started);

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var file = new AppliedFile(header.SiteId, header.Kind, header.Sequence, name.RelativePath, changes.Count, header.LastHlc, now);
        // A large file goes in as several transactions, the last marking it applied: rqlite keeps
        // its recent log entries in memory, and one entry of many megabytes stalls the cluster.
        // One cut short is applied again, which changes nothing already merged.
        var parts = changes.Parts(_options.MaxTransactionBytes);
        long rowsApplied = 0;
        try
        {
            foreach (var part in parts.Take(parts.Count - 1))
            {
                rowsApplied += await rqlite.ExecuteAsync(SyncLedgerSql.Merge(part), idempotent: true, cancellationToken);
            }
            rowsApplied += await rqlite.ExecuteAsync(SyncLedgerSql.ApplyFile(file, parts[^1]), idempotent: true, cancellationToken);
        }
        catch (RqliteStatementException e) when (SyncLedgerSql.AppliedBefore(e))
        {
            // Another pass, or a retry whose first try did land.
            _applied.Add(file.Key);
            return false;
        }
        _applied.Add(file.Key);

        var conflicted = changes.Revisions.Length > 0 ? await CountConflictsAsync(changes.Revisions, cancellationToken) : 0;
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
        logger.LogInformation("Applied {File}: {Rows} of {Total} revisions and property writes new, {Conflicts} notes in conflict, {Lag:0.000} s after it was written",
            name.RelativePath, rowsApplied, changes.Count, conflicted, lag);
        return true;
    }

    private static AppliedFileKey Key(ChangeFileName name) => new(name.SiteId, name.Kind, name.Sequence);

    private static Activity? StartImportActivity(ChangeFileName name, ActivityContext parent, DateTimeOffset started) =>
        SyncTelemetry.ActivitySource.StartActivity("sync import", ActivityKind.Consumer, parent,
            tags: [new("hermit.sync.file", name.RelativePath)], startTime: started);

    private Task<long> CountConflictsAsync(NoteRevision[] revisions, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(NoteSql.CountInConflict(revisions.Select(r => r.NoteId)), ReadConsistency.Weak, cancellationToken);

    /// <summary>
    /// Records the pass's refusals: in the ledger (a few transactions, not one request each, since
    /// a peer can send thousands), in the quarantine, in the metrics and, up to a few, in the log.
    /// </summary>
    private async Task RecordAsync(Dictionary<string, Refusal> refusals, CancellationToken cancellationToken)
    {
        var fresh = refusals.Values.ToArray();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var batch in fresh.Chunk(RejectionsPerTransaction))
        {
            await rqlite.ExecuteAsync(
                batch.Select(r => SyncLedgerSql.RecordRejection(new RejectedFile(r.RelativePath, r.SiteId, r.Reason.ToString(), r.Detail, r.Bytes, now, r.ContentHash))).ToArray(),
                transaction: true,
                cancellationToken: cancellationToken);
            foreach (var refusal in batch)
            {
                _refusedContent.Add(refusal.ContentHash);
                SyncTelemetry.Rejections.Add(1, new KeyValuePair<string, object?>("reason", refusal.Reason.ToString()));
            }
        }
        foreach (var refusal in fresh.Take(_options.RejectionsLoggedPerPass))
        {
            logger.LogWarning("Rejected {File}: {Reason}: {Detail} (copied to quarantine)", refusal.RelativePath, refusal.Reason, refusal.Detail);
        }
        if (fresh.Length > _options.RejectionsLoggedPerPass)
        {
            logger.LogWarning("Rejected {Count} more entries in this pass; the Sync page lists them", fresh.Length - _options.RejectionsLoggedPerPass);
        }
    }

    /// <summary>One refused entry, as the ledger records it.</summary>
    private sealed record Refusal(string RelativePath, string? SiteId, RejectionReason Reason, string Detail, long Bytes, string ContentHash);
}
