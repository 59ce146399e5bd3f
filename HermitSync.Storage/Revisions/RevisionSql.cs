using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>One of this site's revisions with its local sequence number, the exporter's cursor.</summary>
public sealed record LocalRevision(long Seq, NoteRevision Revision);

/// <summary>What names a revision among all of a site's revisions: two sites agree when they hold the same set.</summary>
public sealed record RevisionKey(Guid NoteId, long Hlc, string SiteId);

/// <summary>
/// The revisions tables and the merge, in SQL. A site's state is the set of revisions it knows,
/// which only grows; the <c>notes</c> table is derived from it. A note's heads are its revisions
/// that no other revision names as a parent. The winner among the heads is the live one with
/// the greatest (HLC, site), or the greatest tombstone when all heads are deletes; the other
/// heads are its conflicts. Inserting revisions is idempotent and the derivation depends only
/// on the set, so any delivery order, with any duplicates, ends in the same tables on every site.
/// </summary>
public static class RevisionSql
{
    private const string Heads = """
        SELECT r.*, row_number() OVER ranked AS place, count(*) OVER (PARTITION BY r.note_id) AS heads
        FROM note_revisions r
        WHERE r.note_id IN (SELECT value FROM json_each(:notes))
          AND NOT EXISTS (
              SELECT 1 FROM note_revision_parents e
              WHERE e.note_id = r.note_id AND e.parent_hlc = r.hlc AND e.parent_site_id = r.site_id)
        WINDOW ranked AS (PARTITION BY r.note_id ORDER BY r.deleted ASC, r.hlc DESC, r.site_id DESC)
        """;

    /// <summary>
    /// Adds revisions (ones already known are skipped), their parent links, and the refreshed
    /// <c>notes</c> rows, to run as one transaction. It reads how many revisions were new.
    /// </summary>
    public static SqlBatch<long> Merge(IReadOnlyList<NoteRevision> revisions)
    {
        if (revisions.Count == 0)
        {
            return new SqlBatch<long>([], _ => 0);
        }
        var statements = new List<SqlStatement>(3) { InsertRevisions(Serialize(revisions)) };
        // Parent links travel only for revisions that have parents: a bulk of new notes sends none.
        var children = revisions.Where(r => r.Parents.Count > 0).Select(r => r with { Title = "", Body = "" }).ToArray();
        if (children.Length > 0)
        {
            statements.Add(InsertParents(Serialize(children)));
        }
        statements.Add(RefreshNotes(NoteIds(revisions.Select(r => r.NoteId))));
        return new SqlBatch<long>(statements, results => results[0].RowsAffected);
    }

    /// <summary>Derives the <c>notes</c> rows of the given notes (a JSON array of ids) from their heads.</summary>
    internal static SqlStatement RefreshNotes(string noteIdsJson) => SqlStatement.Named(
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
    public static SqlQuery<IReadOnlyList<NoteConflict>> Conflicts(Guid noteId) => SqlQuery.Rows(
        SqlStatement.Named(
            $"SELECT hlc, site_id, version, title, body, deleted, updated_at FROM ({Heads}) WHERE place > 1 ORDER BY hlc DESC, site_id DESC",
            new Dictionary<string, object?> { ["notes"] = NoteIds([Key(noteId)]) }),
        row => new NoteConflict(
            new RevisionId(row.GetInt64(0), row.GetString(1)).ToString(),
            row.GetString(1),
            row.GetInt64(2),
            row.GetString(3),
            row.GetString(4),
            row.GetBoolean(5),
            DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(6))));

    /// <summary>A note's revisions, newest first: when it changed, on which site, and how.</summary>
    public static SqlQuery<IReadOnlyList<NoteHistoryEntry>> History(Guid noteId, int limit) => SqlQuery.Rows(
        SqlStatement.Of(
            "SELECT hlc, site_id, version, title, deleted, updated_at FROM note_revisions WHERE note_id = ? ORDER BY hlc DESC, site_id DESC LIMIT ?",
            Key(noteId), limit),
        row => new NoteHistoryEntry(
            new RevisionId(row.GetInt64(0), row.GetString(1)).ToString(),
            row.GetString(1),
            row.GetInt64(2),
            row.GetString(3),
            row.GetBoolean(4),
            DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5))));

    /// <summary>This site's own revisions after local sequence <paramref name="afterSeq"/> up to <paramref name="throughSeq"/>, oldest first.</summary>
    public static SqlQuery<IReadOnlyList<LocalRevision>> Since(string siteId, long afterSeq, long throughSeq, int limit) => SqlQuery.Rows(
        SqlStatement.Of(
            """
            SELECT seq, note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at
            FROM note_revisions WHERE site_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?
            """,
            siteId, afterSeq, throughSeq, limit),
        row => new LocalRevision(
            row.GetInt64(0),
            new NoteRevision(
                row.GetString(1),
                row.GetInt64(2),
                row.GetString(3),
                JsonSerializer.Deserialize(row.GetString(4), RevisionJson.Default.IReadOnlyListParentRef) ?? [],
                row.GetInt64(5),
                row.GetString(6),
                row.GetString(7),
                row.GetBoolean(8),
                row.GetInt64(9),
                row.GetInt64(10))));

    /// <summary>The newest local sequence number of a site's revisions, 0 when it has none.</summary>
    public static SqlQuery<long> NewestSeq(string siteId) =>
        SqlQuery.Scalar(SqlStatement.Of("SELECT coalesce(max(seq), 0) FROM note_revisions WHERE site_id = ?", siteId));

    /// <summary>The newest clock stamp stored, so a restarted site's clock never issues a smaller one.</summary>
    public static SqlQuery<long> NewestHlc { get; } =
        SqlQuery.Scalar(SqlStatement.Of("SELECT coalesce(max(hlc), 0) FROM note_revisions"));

    /// <summary>Every revision's key.</summary>
    public static SqlQuery<IReadOnlyList<RevisionKey>> Keys { get; } = SqlQuery.Rows(
        SqlStatement.Of("SELECT note_id, hlc, site_id FROM note_revisions ORDER BY note_id, hlc, site_id"),
        row => new RevisionKey(Guid.Parse(row.GetString(0)), row.GetInt64(1), row.GetString(2)));

    private static SqlStatement InsertRevisions(string revisionsJson) => SqlStatement.Named(
        """
        INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
        SELECT value ->> '$.n', value ->> '$.h', value ->> '$.s', value -> '$.p', value ->> '$.v',
               value ->> '$.t', value ->> '$.b', value ->> '$.d', value ->> '$.c', value ->> '$.u'
        FROM json_each(:revisions) WHERE true
        ON CONFLICT (note_id, hlc, site_id) DO NOTHING
        """,
        new Dictionary<string, object?> { ["revisions"] = revisionsJson });

    private static SqlStatement InsertParents(string revisionsJson) => SqlStatement.Named(
        """
        INSERT INTO note_revision_parents (note_id, parent_hlc, parent_site_id, child_hlc, child_site_id)
        SELECT r.value ->> '$.n', p.value ->> '$.h', p.value ->> '$.s', r.value ->> '$.h', r.value ->> '$.s'
        FROM json_each(:revisions) r, json_each(r.value -> '$.p') p WHERE true
        ON CONFLICT DO NOTHING
        """,
        new Dictionary<string, object?> { ["revisions"] = revisionsJson });

    private static string Serialize(IReadOnlyList<NoteRevision> revisions) =>
        JsonSerializer.Serialize(revisions as NoteRevision[] ?? revisions.ToArray(), RevisionJson.Default.NoteRevisionArray);

    internal static string NoteIds(IEnumerable<string> noteIds) =>
        JsonSerializer.Serialize(noteIds.Distinct().ToArray(), RevisionJson.Default.StringArray);

    internal static string ParentsJson(IReadOnlyList<ParentRef> parents) =>
        JsonSerializer.Serialize(parents, RevisionJson.Default.IReadOnlyListParentRef);

    /// <summary>Note ids are stored as lower-case UUID text.</summary>
    internal static string Key(Guid id) => id.ToString("D");
}
