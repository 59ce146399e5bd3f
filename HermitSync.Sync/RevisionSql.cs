using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Sync;

/// <summary>
/// The merge, in SQL. A site's state is the set of revisions it knows, which only grows; the
/// <c>notes</c> table is derived from it. A note's heads are its revisions that no other
/// revision names as a parent. The winner among the heads is the live one with the greatest
/// (HLC, site), or the greatest tombstone when all heads are deletes; the other heads are its
/// conflicts. Inserting revisions is idempotent and the derivation depends only on the set,
/// so any delivery order, with any duplicates, ends in the same tables on every site.
/// </summary>
public static class RevisionSql
{
    /// <summary>Schema step 2: revisions, their parent links, sync bookkeeping, and the derived columns of <c>notes</c>.</summary>
    public static IReadOnlyList<string> Schema { get; } =
    [
        "CREATE TABLE site (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), site_id TEXT NOT NULL)",
        """
        CREATE TABLE note_revisions (
            seq        INTEGER PRIMARY KEY,
            note_id    TEXT    NOT NULL,
            hlc        INTEGER NOT NULL,
            site_id    TEXT    NOT NULL,
            parents    TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            title      TEXT    NOT NULL,
            body       TEXT    NOT NULL,
            deleted    INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (note_id, hlc, site_id)
        )
        """,
        "CREATE INDEX note_revisions_by_site ON note_revisions (site_id, seq)",
        """
        CREATE TABLE note_revision_parents (
            note_id        TEXT    NOT NULL,
            parent_hlc     INTEGER NOT NULL,
            parent_site_id TEXT    NOT NULL,
            child_hlc      INTEGER NOT NULL,
            child_site_id  TEXT    NOT NULL,
            PRIMARY KEY (note_id, parent_hlc, parent_site_id, child_hlc, child_site_id)
        ) WITHOUT ROWID
        """,
        "ALTER TABLE notes ADD COLUMN hlc INTEGER NOT NULL DEFAULT 0",
        $"ALTER TABLE notes ADD COLUMN site_id TEXT NOT NULL DEFAULT '{SiteIds.BeforeSync}'",
        "ALTER TABLE notes ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE notes ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0",
        // Notes from before sync become first revisions of a placeholder site.
        "UPDATE notes SET hlc = updated_at << 16",
        $"""
        INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
        SELECT id, hlc, site_id, '[]', version, title, body, 0, created_at, updated_at FROM notes
        """,
        """
        CREATE TABLE sync_exports (
            file_seq      INTEGER PRIMARY KEY,
            kind          TEXT    NOT NULL,
            file          TEXT    NOT NULL,
            through_seq   INTEGER NOT NULL,
            rows          INTEGER NOT NULL,
            bytes         INTEGER NOT NULL,
            last_hlc      INTEGER NOT NULL,
            exported_at   INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE sync_applied (
            site_id    TEXT    NOT NULL,
            kind       TEXT    NOT NULL,
            file_seq   INTEGER NOT NULL,
            file       TEXT    NOT NULL,
            rows       INTEGER NOT NULL,
            last_hlc   INTEGER NOT NULL,
            applied_at INTEGER NOT NULL,
            PRIMARY KEY (site_id, kind, file_seq)
        )
        """,
        """
        CREATE TABLE sync_rejections (
            id          INTEGER PRIMARY KEY,
            file        TEXT    NOT NULL,
            site_id     TEXT,
            reason      TEXT    NOT NULL,
            detail      TEXT    NOT NULL,
            bytes       INTEGER NOT NULL,
            rejected_at INTEGER NOT NULL
        )
        """,
    ];

    private const string Heads = """
        SELECT r.*, row_number() OVER ranked AS place, count(*) OVER (PARTITION BY r.note_id) AS heads
        FROM note_revisions r
        WHERE r.note_id IN (SELECT value FROM json_each(:notes))
          AND NOT EXISTS (
              SELECT 1 FROM note_revision_parents e
              WHERE e.note_id = r.note_id AND e.parent_hlc = r.hlc AND e.parent_site_id = r.site_id)
        WINDOW ranked AS (PARTITION BY r.note_id ORDER BY r.deleted ASC, r.hlc DESC, r.site_id DESC)
        """;

    /// <summary>Adds revisions given as a JSON array; ones already known are skipped.</summary>
    public static SqlStatement InsertRevisions(string revisionsJson) => SqlStatement.Named(
        """
        INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
        SELECT value ->> '$.n', value ->> '$.h', value ->> '$.s', value -> '$.p', value ->> '$.v',
               value ->> '$.t', value ->> '$.b', value ->> '$.d', value ->> '$.c', value ->> '$.u'
        FROM json_each(:revisions) WHERE true
        ON CONFLICT (note_id, hlc, site_id) DO NOTHING
        """,
        new Dictionary<string, object?> { ["revisions"] = revisionsJson });

    /// <summary>Records which revisions each new revision replaces.</summary>
    public static SqlStatement InsertParents(string revisionsJson) => SqlStatement.Named(
        """
        INSERT INTO note_revision_parents (note_id, parent_hlc, parent_site_id, child_hlc, child_site_id)
        SELECT r.value ->> '$.n', p.value ->> '$.h', p.value ->> '$.s', r.value ->> '$.h', r.value ->> '$.s'
        FROM json_each(:revisions) r, json_each(r.value -> '$.p') p WHERE true
        ON CONFLICT DO NOTHING
        """,
        new Dictionary<string, object?> { ["revisions"] = revisionsJson });

    /// <summary>Derives the <c>notes</c> rows of the given notes (a JSON array of ids) from their heads.</summary>
    public static SqlStatement RefreshNotes(string noteIdsJson) => SqlStatement.Named(
        $"""
        INSERT INTO notes (id, title, body, created_at, updated_at, version, hlc, site_id, deleted, conflicts)
        SELECT note_id, title, body, created_at, updated_at, version, hlc, site_id, deleted,
               CASE WHEN deleted = 1 THEN 0 ELSE heads - 1 END
        FROM ({Heads}) WHERE place = 1
        ON CONFLICT (id) DO UPDATE SET
            title = excluded.title, body = excluded.body, created_at = excluded.created_at, updated_at = excluded.updated_at,
            version = excluded.version, hlc = excluded.hlc, site_id = excluded.site_id, deleted = excluded.deleted,
            conflicts = excluded.conflicts
        """,
        new Dictionary<string, object?> { ["notes"] = noteIdsJson });

    /// <summary>The heads that lost: a note's conflicting versions, newest first.</summary>
    public static SqlStatement SelectConflicts(string noteId) => SqlStatement.Named(
        $"""
        SELECT note_id, hlc, site_id, version, title, body, deleted, created_at, updated_at
        FROM ({Heads}) WHERE place > 1 ORDER BY hlc DESC, site_id DESC
        """,
        new Dictionary<string, object?> { ["notes"] = JsonSerializer.Serialize([noteId], SyncJsonContext.Default.StringArray) });

    /// <summary>This site's own revisions after local sequence <paramref name="afterSeq"/>, oldest first.</summary>
    public static SqlStatement SelectOwn(string siteId, long afterSeq, long throughSeq, int limit) => SqlStatement.Of(
        """
        SELECT seq, note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at
        FROM note_revisions WHERE site_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?
        """,
        siteId, afterSeq, throughSeq, limit);

    /// <summary>Reads a row of <see cref="SelectOwn"/>: the local sequence number and the revision.</summary>
    public static (long Seq, NoteRevision Revision) ReadRevision(RqliteRow row) => (
        row.GetInt64(0),
        new NoteRevision(
            row.GetString(1),
            row.GetInt64(2),
            row.GetString(3),
            JsonSerializer.Deserialize(row.GetString(4), SyncJsonContext.Default.IReadOnlyListParentRef) ?? [],
            row.GetInt64(5),
            row.GetString(6),
            row.GetString(7),
            row.GetBoolean(8),
            row.GetInt64(9),
            row.GetInt64(10)));

    /// <summary>The statements that merge a batch of revisions, to run as one transaction.</summary>
    public static IReadOnlyList<SqlStatement> Merge(IReadOnlyList<NoteRevision> revisions)
    {
        var statements = new List<SqlStatement>(3) { InsertRevisions(Serialize(revisions)) };
        // Parent links travel only for revisions that have parents: a bulk of new notes sends none.
        var children = revisions.Where(r => r.Parents.Count > 0)
            .Select(r => r with { Title = "", Body = "" })
            .ToArray();
        if (children.Length > 0)
        {
            statements.Add(InsertParents(Serialize(children)));
        }
        statements.Add(RefreshNotes(NoteIds(revisions)));
        return statements;
    }

    public static string Serialize(IReadOnlyList<NoteRevision> revisions) =>
        JsonSerializer.Serialize(revisions as NoteRevision[] ?? revisions.ToArray(), SyncJsonContext.Default.NoteRevisionArray);

    public static string NoteIds(IEnumerable<NoteRevision> revisions) =>
        JsonSerializer.Serialize(revisions.Select(r => r.NoteId).Distinct().ToArray(), SyncJsonContext.Default.StringArray);

    public static string ParentsJson(IReadOnlyList<ParentRef> parents) =>
        JsonSerializer.Serialize(parents, SyncJsonContext.Default.IReadOnlyListParentRef);
}
