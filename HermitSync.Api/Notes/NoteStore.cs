using HermitSync.Rqlite;
using HermitSync.Sync;

namespace HermitSync.Api.Notes;

/// <summary>
/// Reads notes and writes them as new revisions. Each write is one rqlite transaction: the
/// revision (only if the note is still at the version the client saw), its parent links, the
/// refreshed <c>notes</c> row, and a read of the outcome. Every statement is parameterized.
/// </summary>
public sealed class NoteStore(RqliteClient rqlite, SiteIdentity site, HybridLogicalClock clock, TimeProvider time)
{
    public async Task<Note?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await rqlite.QueryOrStaleAsync(SqlStatement.Of(NoteSql.Read, Key(id)), cancellationToken);
        return result.Rows.Count == 0 ? null : ReadNote(result.Rows[0]) with { Stale = result.Stale };
    }

    public async Task<NotePage> SearchAsync(string? text, int limit, NoteCursor? after, CancellationToken cancellationToken)
    {
        var pattern = string.IsNullOrWhiteSpace(text) ? null : $"%{EscapeLike(text.Trim())}%";
        var statement = SqlStatement.Named(
            NoteSql.Search,
            new Dictionary<string, object?>
            {
                ["pattern"] = pattern,
                ["after_time"] = after?.UpdatedAt,
                ["after_id"] = after is { } cursor ? Key(cursor.Id) : null,
                // One extra row tells whether another page follows.
                ["limit"] = limit + 1,
            });
        var result = await rqlite.QueryOrStaleAsync(statement, cancellationToken);
        var items = result.Rows.Take(limit).Select(ReadNote)
            .Select(n => new NoteSummary(n.Id, n.Title, Excerpt: n.Body, n.Version, n.CreatedAt, n.UpdatedAt, n.Conflicts))
            .ToArray();
        var next = result.Rows.Count > limit ? new NoteCursor(items[^1].UpdatedAt.ToUnixTimeMilliseconds(), items[^1].Id).Encode() : null;
        return new NotePage(items, next, result.Stale);
    }

    public async Task<IReadOnlyList<NoteConflict>> ConflictsAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await rqlite.QueryAsync(RevisionSql.SelectConflicts(Key(id)), ReadConsistency.Weak, cancellationToken);
        return result.Rows.Select(row => new NoteConflict(
            new RevisionId(row.GetInt64(1), row.GetString(2)).ToString(),
            row.GetString(2),
            row.GetInt64(3),
            row.GetString(4),
            row.GetString(5),
            row.GetBoolean(6),
            DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(8)))).ToArray();
    }

    /// <summary>Every revision of a note, newest first: when it changed, on which site, and how.</summary>
    public async Task<IReadOnlyList<NoteHistoryEntry>> HistoryAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await rqlite.QueryOrStaleAsync(SqlStatement.Of(
            "SELECT hlc, site_id, version, title, deleted, updated_at FROM note_revisions WHERE note_id = ? ORDER BY hlc DESC, site_id DESC LIMIT 100",
            Key(id)), cancellationToken);
        return result.Rows.Select(row => new NoteHistoryEntry(
            new RevisionId(row.GetInt64(0), row.GetString(1)).ToString(),
            row.GetString(1),
            row.GetInt64(2),
            row.GetString(3),
            row.GetBoolean(4),
            DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)))).ToArray();
    }

    /// <summary>
    /// Adds a note unless its id exists. Re-sending the same create is answered with the
    /// stored note, so a client that retries after a timeout never makes a duplicate.
    /// </summary>
    public async Task<CreateOutcome> CreateAsync(Guid id, string title, string body, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var hlc = clock.Next();
        var results = await rqlite.RequestAsync(
            [
                SqlStatement.Of(NoteSql.InsertFirstRevision, Key(id), hlc, site.SiteId, title, body, now, now, Key(id)),
                RevisionSql.RefreshNotes(NoteIdJson(id)),
                SqlStatement.Of($"SELECT {NoteSql.Columns}, deleted FROM notes WHERE id = ?", Key(id)),
            ],
            idempotent: true,
            cancellationToken: cancellationToken);
        var row = results[2].Rows[0];
        var stored = ReadNote(row);
        if (results[0].RowsAffected == 1)
        {
            return new CreateOutcome(stored, CreateStatus.Created);
        }
        var sameNote = !row.GetBoolean(9) && stored.Title == title && stored.Body == body && stored.Version == 1;
        return new CreateOutcome(stored, sameNote ? CreateStatus.AlreadyExisted : CreateStatus.IdTaken);
    }

    /// <summary>
    /// Adds an edit made from <paramref name="basedOn"/>, only if that is still the note's
    /// current revision. A retried edit that finds its own revision stored counts as done.
    /// </summary>
    public Task<WriteOutcome> UpdateAsync(Guid id, RevisionId basedOn, IReadOnlyList<RevisionId> resolves, string title, string body, CancellationToken cancellationToken) =>
        WriteRevisionAsync(id, basedOn, resolves, deleted: false, title, body, cancellationToken);

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
        var conflicts = (await ConflictsAsync(id, cancellationToken)).Select(c => Parse(c.Revision)).ToArray();
        return await WriteRevisionAsync(id, basedOn ?? Parse(current.Revision), conflicts, deleted: true, title: null, body: null, cancellationToken);
    }

    private async Task<WriteOutcome> WriteRevisionAsync(
        Guid id, RevisionId basedOn, IReadOnlyList<RevisionId> resolves, bool deleted, string? title, string? body, CancellationToken cancellationToken)
    {
        var parents = resolves.Prepend(basedOn).Distinct().Select(ParentRef.Of).ToArray();
        // Later than every version it replaces, whatever this machine's wall clock says.
        var hlc = clock.Next(after: parents.Max(p => p.Hlc));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var results = await rqlite.RequestAsync(
            [
                SqlStatement.Named(
                    """
                    INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
                    SELECT id, :hlc, :site, :parents, version + 1, coalesce(:title, title), coalesce(:body, body), :deleted, created_at, max(:now, updated_at)
                    FROM notes WHERE id = :id AND deleted = 0 AND hlc = :based_hlc AND site_id = :based_site
                    ON CONFLICT DO NOTHING
                    """,
                    new Dictionary<string, object?>
                    {
                        ["id"] = Key(id), ["hlc"] = hlc, ["site"] = site.SiteId, ["parents"] = RevisionSql.ParentsJson(parents),
                        ["title"] = title, ["body"] = body, ["deleted"] = deleted, ["now"] = now,
                        ["based_hlc"] = basedOn.Hlc, ["based_site"] = basedOn.SiteId,
                    }),
                SqlStatement.Named(
                    """
                    INSERT INTO note_revision_parents (note_id, parent_hlc, parent_site_id, child_hlc, child_site_id)
                    SELECT :id, p.value ->> '$.h', p.value ->> '$.s', :hlc, :site FROM json_each(:parents) p
                    WHERE EXISTS (SELECT 1 FROM note_revisions WHERE note_id = :id AND hlc = :hlc AND site_id = :site)
                    ON CONFLICT DO NOTHING
                    """,
                    new Dictionary<string, object?> { ["id"] = Key(id), ["hlc"] = hlc, ["site"] = site.SiteId, ["parents"] = RevisionSql.ParentsJson(parents) }),
                RevisionSql.RefreshNotes(NoteIdJson(id)),
                SqlStatement.Of(
                    $"SELECT {NoteSql.Columns}, deleted, EXISTS (SELECT 1 FROM note_revisions WHERE note_id = ? AND hlc = ? AND site_id = ?) FROM notes WHERE id = ?",
                    Key(id), hlc, site.SiteId, Key(id)),
            ],
            idempotent: true,
            cancellationToken: cancellationToken);

        if (results[3].Rows.Count == 0)
        {
            return new WriteOutcome(null, WriteStatus.NotFound);
        }
        var row = results[3].Rows[0];
        var note = ReadNote(row);
        if (row.GetBoolean(10))
        {
            return new WriteOutcome(note, WriteStatus.Done);
        }
        return new WriteOutcome(note, row.GetBoolean(9) ? WriteStatus.NotFound : WriteStatus.VersionMismatch);
    }

    private static RevisionId Parse(string revision) =>
        RevisionId.TryParse(revision, out var id) ? id : throw new FormatException($"'{revision}' is not a revision id.");

    private static string Key(Guid id) => id.ToString("D");

    private static string NoteIdJson(Guid id) => $"[\"{Key(id)}\"]";

    private static Note ReadNote(RqliteRow row) => new(
        Guid.Parse(row.GetString(0)),
        row.GetString(1),
        row.GetString(2),
        row.GetInt64(3),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)),
        new RevisionId(row.GetInt64(6), row.GetString(7)).ToString(),
        row.GetString(7),
        (int)row.GetInt64(8));

    internal static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
}

public enum CreateStatus { Created, AlreadyExisted, IdTaken }

public sealed record CreateOutcome(Note Note, CreateStatus Status);

public enum WriteStatus { Done, NotFound, VersionMismatch }

public sealed record WriteOutcome(Note? Note, WriteStatus Status);
