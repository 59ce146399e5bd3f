using HermitSync.Api.Sync;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Api.Notes;

/// <summary>
/// Reads notes and writes them as new revisions, stamped with this site's clock. The
/// statements and what their results mean live in the storage module; this adds the clock, the
/// site and the consistency each call needs.
/// </summary>
public sealed class NoteStore(RqliteClient rqlite, SiteIdentity site, HybridLogicalClock clock, TimeProvider time, ExportHints hints)
{
    public Task<Note?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.Get(id), cancellationToken);

    public Task<NotePage> ListAsync(SearchQuery filters, int limit, NoteCursor? after, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.List(filters, after, limit), cancellationToken);

    public Task<NotePage> SearchAsync(SearchQuery query, int limit, RankCursor? after, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.Search(query, after, limit), cancellationToken);

    public Task<IReadOnlyList<NoteSummary>> TitledAsync(string title, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.Titled(title), cancellationToken);

    public Task<IReadOnlyList<NoteSummary>> LinkingToAsync(Note note, int limit, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.LinkingTo(note.Id, note.Title, limit), cancellationToken);

    public Task<IReadOnlyList<NoteVersion>> ConflictsAsync(Guid id, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(RevisionSql.Conflicts(id), ReadConsistency.Weak, cancellationToken);

    public Task<NoteHistoryPage> HistoryAsync(Guid id, int limit, RevisionId? after, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(RevisionSql.History(id, after, limit), cancellationToken);

    public Task<OpenedRevision?> OpenAsync(Guid id, RevisionId revision, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(RevisionSql.Open(id, revision), cancellationToken);

    /// <summary>Live notes whole, in id order after <paramref name="after"/>: an export's next page.</summary>
    public Task<IReadOnlyList<Note>> ExportPageAsync(Guid? after, int limit, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(NoteSql.ExportPage(after, limit), ReadConsistency.Weak, cancellationToken);

    /// <summary>Imported notes in one transaction, each unless its id is here; says for each whether it was written.</summary>
    public async Task<IReadOnlyList<bool>> ImportAsync(IReadOnlyList<NoteDraft> drafts, CancellationToken cancellationToken)
    {
        var written = await rqlite.ExecuteAsync(NoteSql.Import(drafts, () => clock.Next(), site.SiteId), idempotent: true, cancellationToken);
        hints.Written();
        return written;
    }

    /// <summary>The rows of those notes that are here, deleted or not, read after the writes before.</summary>
    public Task<IReadOnlyList<NoteRow>> FindAllAsync(IEnumerable<Guid> ids, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(NoteSql.FindAll(ids), ReadConsistency.Strong, cancellationToken);

    public Task<TrashPage> TrashAsync(int limit, NoteCursor? after, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.Trash(after, limit), cancellationToken);

    /// <summary>
    /// Adds a note unless its id exists; a retried create finds its own note. Only when nothing
    /// was written is the stored note read, at strong consistency so the read follows the write.
    /// </summary>
    public async Task<CreateOutcome> CreateAsync(Guid id, string title, string body, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var written = await rqlite.ExecuteAsync(NoteSql.Create(id, title, body, clock.Next(), site.SiteId, now), idempotent: true, cancellationToken);
        hints.Written();
        return written is not null
            ? new CreateOutcome(written, CreateStatus.Created)
            : await rqlite.QueryAsync(NoteSql.Existing(id, title, body), ReadConsistency.Strong, cancellationToken);
    }

    /// <summary>
    /// Adds an edit made from <paramref name="basedOn"/>, only if that is still the note's
    /// current revision. A retried edit that finds its own revision stored counts as done.
    /// </summary>
    public Task<WriteOutcome> UpdateAsync(Guid id, RevisionId basedOn, IReadOnlyList<RevisionId> resolves, string title, string body, CancellationToken cancellationToken) =>
        AddRevisionAsync(id, basedOn, resolves, deleted: false, restoring: false, title, body, cancellationToken);

    /// <summary>
    /// Adds a tombstone. A delete settles every version the user could see, conflicts
    /// included; a concurrent edit made elsewhere still wins over it when it arrives.
    /// </summary>
    public async Task<WriteOutcome> DeleteAsync(Guid id, RevisionId? basedOn, CancellationToken cancellationToken)
    {
        var current = await GetAsync(id, cancellationToken);
        if (current is null)
        {
            return new WriteOutcome(null, WriteStatus.NotFound);
        }
        var conflicts = (await ConflictsAsync(id, cancellationToken)).Select(c => RevisionId.Parse(c.Revision)).ToArray();
        return await AddRevisionAsync(id, basedOn ?? RevisionId.Parse(current.Revision), conflicts, deleted: true, restoring: false, title: null, body: null, cancellationToken);
    }

    /// <summary>
    /// Adds a live revision on top of <paramref name="basedOn"/> (by default whatever is current),
    /// with the title and body of revision <paramref name="source"/>, or without one those the note
    /// has now: a tombstone keeps them, so that brings a note back from the Trash as it was deleted.
    /// It is an ordinary new revision, so it syncs and merges like an edit.
    /// </summary>
    public async Task<WriteOutcome> RestoreAsync(Guid id, RevisionId? basedOn, RevisionId? source, CancellationToken cancellationToken)
    {
        if (await rqlite.QueryAsync(NoteSql.Find(id), ReadConsistency.Weak, cancellationToken) is not { } current)
        {
            return new WriteOutcome(null, WriteStatus.NotFound);
        }
        string? title = null, body = null;
        if (source is { } from)
        {
            if (await rqlite.QueryAsync(RevisionSql.Version(id, from), ReadConsistency.Weak, cancellationToken) is not { } version)
            {
                return new WriteOutcome(null, WriteStatus.NotFound);
            }
            if (version.Pruned)
            {
                return new WriteOutcome(null, WriteStatus.TextNotKept);
            }
            (title, body) = (version.Title, version.Body);
        }
        // A note in the Trash may hold several concurrent deletes; bringing it back settles them all, as a delete settles every version.
        IReadOnlyList<RevisionId> resolves = current.Deleted
            ? (await ConflictsAsync(id, cancellationToken)).Select(c => RevisionId.Parse(c.Revision)).ToArray()
            : [];
        return await AddRevisionAsync(id, basedOn ?? new RevisionId(current.Hlc, current.SiteId), resolves, deleted: false, restoring: true, title, body, cancellationToken);
    }

    private async Task<WriteOutcome> AddRevisionAsync(
        Guid id, RevisionId basedOn, IReadOnlyList<RevisionId> resolves, bool deleted, bool restoring, string? title, string? body, CancellationToken cancellationToken)
    {
        var parents = resolves.Prepend(basedOn).Distinct().Select(ParentRef.Of).ToArray();
        // Later than every version it replaces, whatever this machine's wall clock says.
        var hlc = clock.Next(after: parents.Max(p => p.Hlc));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var outcome = await rqlite.RequestAsync(NoteSql.AddRevision(id, basedOn, parents, hlc, site.SiteId, deleted, restoring, title, body, now), idempotent: true, cancellationToken);
        hints.Written();
        return outcome;
    }
}
