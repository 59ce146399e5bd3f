using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Api.Notes;

/// <summary>
/// Reads notes and writes them as new revisions, stamped with this site's clock. The
/// statements and what their results mean live in the storage module; this adds the clock, the
/// site and the consistency each call needs.
/// </summary>
public sealed class NoteStore(RqliteClient rqlite, SiteIdentity site, HybridLogicalClock clock, TimeProvider time)
{
    private const int HistoryLimit = 100;

    public Task<Note?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.Get(id), cancellationToken);

    public Task<NotePage> SearchAsync(string? text, int limit, NoteCursor? after, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(NoteSql.Search(text, after, limit), cancellationToken);

    public Task<IReadOnlyList<NoteConflict>> ConflictsAsync(Guid id, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(RevisionSql.Conflicts(id), ReadConsistency.Weak, cancellationToken);

    public Task<IReadOnlyList<NoteHistoryEntry>> HistoryAsync(Guid id, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(RevisionSql.History(id, HistoryLimit), cancellationToken);

    /// <summary>
    /// Adds a note unless its id exists; a retried create finds its own note. Only when nothing
    /// was written is the stored note read, at strong consistency so the read follows the write.
    /// </summary>
    public async Task<CreateOutcome> CreateAsync(Guid id, string title, string body, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var written = await rqlite.ExecuteAsync(NoteSql.Create(id, title, body, clock.Next(), site.SiteId, now), idempotent: true, cancellationToken);
        return written is not null
            ? new CreateOutcome(written, CreateStatus.Created)
            : await rqlite.QueryAsync(NoteSql.Existing(id, title, body), ReadConsistency.Strong, cancellationToken);
    }

    /// <summary>
    /// Adds an edit made from <paramref name="basedOn"/>, only if that is still the note's
    /// current revision. A retried edit that finds its own revision stored counts as done.
    /// </summary>
    public Task<WriteOutcome> UpdateAsync(Guid id, RevisionId basedOn, IReadOnlyList<RevisionId> resolves, string title, string body, CancellationToken cancellationToken) =>
        AddRevisionAsync(id, basedOn, resolves, deleted: false, title, body, cancellationToken);

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
        return await AddRevisionAsync(id, basedOn ?? RevisionId.Parse(current.Revision), conflicts, deleted: true, title: null, body: null, cancellationToken);
    }

    private Task<WriteOutcome> AddRevisionAsync(
        Guid id, RevisionId basedOn, IReadOnlyList<RevisionId> resolves, bool deleted, string? title, string? body, CancellationToken cancellationToken)
    {
        var parents = resolves.Prepend(basedOn).Distinct().Select(ParentRef.Of).ToArray();
        // Later than every version it replaces, whatever this machine's wall clock says.
        var hlc = clock.Next(after: parents.Max(p => p.Hlc));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        return rqlite.RequestAsync(NoteSql.AddRevision(id, basedOn, parents, hlc, site.SiteId, deleted, title, body, now), idempotent: true, cancellationToken);
    }
}
