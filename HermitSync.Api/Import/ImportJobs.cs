using System.Collections.Concurrent;
using HermitSync.Api.Attachments;
using HermitSync.Api.Notes;
using HermitSync.Api.Organization;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Api.Import;

/// <summary>
/// Runs imports in the background, one at a time, from a copy of the upload that is deleted
/// when the import ends. Notes are written in batches of one transaction each, so a note is in
/// whole or not at all; a note whose id is here already is left as it is. Statuses live in
/// memory: what was imported is in rqlite, and a restart only forgets the page.
/// </summary>
public sealed class ImportJobs(
    NoteStore store, OrganizationStore organization, AttachmentStore attachments, AttachmentBlobs blobs, IOptions<ImportOptions> options, TimeProvider time, ILogger<ImportJobs> logger)
{
    private readonly ConcurrentDictionary<Guid, ImportJob> _jobs = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private ImportOptions Limits => options.Value;

    public ImportStatus? Find(Guid id) => _jobs.TryGetValue(id, out var job) ? job.Status() : null;

    /// <summary>Takes the upload into a private file and queues its import; a file of an unknown kind or too large is refused before that.</summary>
    public async Task<ImportStatus> StartAsync(Stream upload, string fileName, CancellationToken cancellationToken)
    {
        var format = ImportFormats.Of(fileName);
        var spool = Path.Combine(Path.GetTempPath(), $"hermit-import-{Guid.NewGuid():N}");
        try
        {
            // Owner-only whatever the umask: the temporary folder is shared with the machine's other accounts.
            var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
            if (!OperatingSystem.IsWindows())
            {
                create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            await using (var file = new FileStream(spool, create))
            {
                await CopyAtMostAsync(upload, file, Limits.MaxUploadBytes, cancellationToken);
            }
        }
        catch
        {
            File.Delete(spool);
            throw;
        }
        var job = new ImportJob(Guid.CreateVersion7(), fileName, time.GetUtcNow());
        _jobs[job.Id] = job;
        Forget();
        _ = Task.Run(() => RunAsync(job, format, spool));
        return job.Status();
    }

    private async Task RunAsync(ImportJob job, ImportFormat format, string spool)
    {
        await _oneAtATime.WaitAsync();
        try
        {
            job.Start();
            await using var file = File.OpenRead(spool);
            var batch = new List<(ImportItem Item, NoteDraft Draft)>();
            var seen = new HashSet<Guid>();
            var notebooks = new Dictionary<string, string>();
            var started = System.Diagnostics.Stopwatch.StartNew();
            // While rqlite commits one batch, the next is read: the file's parsing and the cluster's writes overlap.
            var writing = Task.CompletedTask;
            try
            {
                var files = new ImportedAttachments(blobs, attachments.MaxBytes, time);
                foreach (var item in ImportFormats.Read(format, file, job.FileName, Limits, files, job.SetTotal))
                {
                    job.CountRead();
                    if (item.Note is not { } note)
                    {
                        job.Problem(item.Source, item.Problem!);
                        continue;
                    }
                    if (!seen.Add(note.Id))
                    {
                        job.Problem(item.Source, $"It is the same note (id {note.Id}) as an earlier item of this file; it was taken once.");
                        continue;
                    }
                    batch.Add((item, Draft(note)));
                    if (batch.Count >= Limits.BatchSize)
                    {
                        await writing;
                        writing = WriteAsync(job, batch, notebooks);
                        batch = [];
                    }
                }
                await writing;
                await WriteAsync(job, batch, notebooks);
            }
            finally
            {
                // A file that turns out broken ends the import only once the batch already sent is settled.
                await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            job.Finish(null);
            var done = job.Status();
            logger.LogInformation("Import {Import} of {File}: {Read} items read, {Imported} imported, {AlreadyHere} already here, {Problems} refused, in {Seconds:0.0} s",
                job.Id, job.FileName, done.Read, done.Imported, done.AlreadyHere, done.Problems.Count, started.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (e is ImportFileException or IOException or InvalidDataException or Rqlite.RqliteException)
        {
            job.Finish(e.Message);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Import {Import} failed", job.Id);
            job.Finish("The import stopped on an unexpected error; what was imported before it stays.");
        }
        finally
        {
            _oneAtATime.Release();
            File.Delete(spool);
        }
    }

    /// <summary>Writes a batch of notes, each with its tags and in its notebook (<paramref name="notebooks"/>: the ids of the paths met so far).</summary>
    private async Task WriteAsync(ImportJob job, IReadOnlyList<(ImportItem Item, NoteDraft Draft)> batch, Dictionary<string, string> notebooks)
    {
        if (batch.Count == 0)
        {
            return;
        }
        var drafts = new List<NoteDraft>(batch.Count);
        foreach (var (item, draft) in batch)
        {
            var path = ImportedLabels.Notebook(item.Note!.Notebook ?? []);
            var key = string.Join('\0', path).ToLowerInvariant();
            if (path.Count > 0 && !notebooks.ContainsKey(key))
            {
                notebooks[key] = await organization.NotebookAtAsync(path, CancellationToken.None);
            }
            drafts.Add(draft with { NotebookId = path.Count > 0 ? notebooks[key] : null });
        }
        // The files first: a note never links to an attachment that is not recorded.
        await attachments.RecordAsync(batch.SelectMany(b => b.Item.Note!.Attachments ?? []).DistinctBy(a => a.Hash).ToArray(), CancellationToken.None);
        var written = await store.ImportAsync(drafts, CancellationToken.None);
        var notWritten = batch.Where((_, i) => !written[i]).ToArray();
        job.CountImported(batch.Count - notWritten.Length);
        if (notWritten.Length == 0)
        {
            return;
        }
        var here = (await store.FindAllAsync(notWritten.Select(b => b.Draft.Id), CancellationToken.None)).ToDictionary(n => n.Id);
        foreach (var (item, draft) in notWritten)
        {
            switch (here.GetValueOrDefault(draft.Id))
            {
                case { Deleted: false } same when same.Title == draft.Title && same.Body == draft.Body:
                    job.CountAlreadyHere();
                    break;
                case { Deleted: true }:
                    job.Problem(item.Source, "A note with its id is in the Trash here; restore it from there.");
                    break;
                default:
                    job.Problem(item.Source, $"A note with its id ({draft.Id}) is here with other text; that note was kept as it is.");
                    break;
            }
        }
    }

    private NoteDraft Draft(ImportedNote note)
    {
        var now = time.GetUtcNow();
        var created = Plausible(note.Created) ?? Plausible(note.Updated) ?? now;
        var updated = Plausible(note.Updated) ?? created;
        return new NoteDraft(note.Id, note.Title, note.Body, created.ToUnixTimeMilliseconds(), updated.ToUnixTimeMilliseconds(), ImportedLabels.Tags(note.Tags ?? []), Pinned: note.Pinned);
    }

    /// <summary>A time a note can have been written at: not before 1970, not after now.</summary>
    private DateTimeOffset? Plausible(DateTimeOffset? when) =>
        when is { } t && t >= DateTimeOffset.UnixEpoch && t <= time.GetUtcNow().AddDays(1) ? t : null;

    private void Forget()
    {
        foreach (var old in _jobs.Values.Where(j => j.Status().FinishedAt is not null).OrderByDescending(j => j.Status().FinishedAt).Skip(Limits.KeepFinished))
        {
            _jobs.TryRemove(old.Id, out _);
        }
    }

    private static async Task CopyAtMostAsync(Stream from, Stream to, long limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            copied += read;
            if (copied > limit)
            {
                throw new ImportTooLargeException(limit);
            }
            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    /// <summary>One import's counters, updated by its runner and read by its page.</summary>
    private sealed class ImportJob(Guid id, string fileName, DateTimeOffset startedAt)
    {
        private const int MaxProblemsListed = 1_000;
        private readonly Lock _lock = new();
        private readonly List<ImportProblem> _problems = [];
        private string _state = ImportStatus.Queued;
        private int? _total;
        private int _read, _imported, _alreadyHere, _problemCount;
        private string? _error;
        private DateTimeOffset? _finishedAt;

        public Guid Id { get; } = id;

        public string FileName { get; } = fileName;

        public void Start() => Update(() => _state = ImportStatus.Running);

        public void SetTotal(int total) => Update(() => _total = total);

        public void CountRead() => Update(() => _read++);

        public void CountImported(int count) => Update(() => _imported += count);

        public void CountAlreadyHere() => Update(() => _alreadyHere++);

        public void Problem(string item, string reason) => Update(() =>
        {
            if (++_problemCount <= MaxProblemsListed)
            {
                _problems.Add(new ImportProblem(item, reason));
            }
            else if (_problemCount == MaxProblemsListed + 1)
            {
                _problems.Add(new ImportProblem("…", $"More items failed; only the first {MaxProblemsListed:N0} are listed."));
            }
        });

        public void Finish(string? error) => Update(() =>
        {
            _state = error is null ? ImportStatus.Done : ImportStatus.Failed;
            _error = error;
            _finishedAt = DateTimeOffset.UtcNow;
        });

        public ImportStatus Status()
        {
            lock (_lock)
            {
                return new ImportStatus(Id, FileName, _state, _total, _read, _imported, _alreadyHere, _problems.ToArray(), _error, startedAt, _finishedAt);
            }
        }

        private void Update(Action change)
        {
            lock (_lock)
            {
                change();
            }
        }
    }
}

/// <summary>An upload larger than an import takes.</summary>
public sealed class ImportTooLargeException(long limit) : Exception($"The file is larger than an import takes ({limit:N0} bytes).");
