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
/// heads are its conflicts. (A pruned revision ranks last; it is never a head once its site's
/// files have all arrived, since only replaced revisions are pruned.) Inserting revisions is idempotent and the derivation depends only
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
        WINDOW ranked AS (PARTITION BY r.note_id ORDER BY r.pruned ASC, r.deleted ASC, r.hlc DESC, r.site_id DESC)
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
        if (AttachmentSql.Reference(revisions.Select(r => (r.NoteId, (string?)r.Body))) is { } references)
        {
            statements.Add(references);
        }
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

    /// <summary>Read by <see cref="ReadVersion"/> in this order, from <c>note_revisions</c>.</summary>
    private const string VersionColumns = "hlc, site_id, version, title, body, deleted, updated_at, pruned";

    /// <summary>The same from <c>notes</c>, whose row is never pruned.</summary>
    private const string NoteVersionColumns = "hlc, site_id, version, title, body, deleted, updated_at, 0";

    /// <summary>The heads that lost: a note's conflicting versions, newest first.</summary>
    public static SqlQuery<IReadOnlyList<NoteVersion>> Conflicts(Guid noteId) => SqlQuery.Rows(
        SqlStatement.Named(
            $"SELECT {VersionColumns} FROM ({Heads}) WHERE place > 1 ORDER BY hlc DESC, site_id DESC",
            new Dictionary<string, object?> { ["notes"] = NoteIds([Key(noteId)]) }),
        row => ReadVersion(row));

    /// <summary>
    /// A page of a note's revisions, newest first: when it changed, on which site, and how. The
    /// cursor is the last revision's id, since (HLC, site) orders them and names each once.
    /// </summary>
    public static SqlQuery<NoteHistoryPage> History(Guid noteId, RevisionId? after, int limit) => new(
        SqlStatement.Named(
            """
            SELECT hlc, site_id, version, title, deleted, updated_at, pruned FROM note_revisions
            WHERE note_id = :note
              AND (:after_hlc IS NULL OR hlc < :after_hlc OR (hlc = :after_hlc AND site_id < :after_site))
            ORDER BY hlc DESC, site_id DESC
            LIMIT :limit
            """,
            new Dictionary<string, object?>
            {
                ["note"] = Key(noteId),
                ["after_hlc"] = after?.Hlc,
                ["after_site"] = after?.SiteId,
                ["limit"] = KeysetPage.Probe(limit),
            }),
        result =>
        {
            var (items, next) = KeysetPage.Read(result, limit, ReadHistoryEntry, entry => entry.Revision);
            return new NoteHistoryPage(items, next, result.Stale);
        });

    /// <summary>One revision of a note whole, or null when the note has no such revision.</summary>
    public static SqlQuery<NoteVersion?> Version(Guid noteId, RevisionId revision) => SqlQuery.FirstOrDefault(
        SqlStatement.Of($"SELECT {VersionColumns} FROM note_revisions WHERE note_id = ? AND hlc = ? AND site_id = ?", Key(noteId), revision.Hlc, revision.SiteId),
        row => ReadVersion(row));

    /// <summary>
    /// One revision of a note beside the note as it stands (its <c>notes</c> row, tombstone
    /// included), in one read; null when either is missing.
    /// </summary>
    public static SqlQuery<OpenedRevision?> Open(Guid noteId, RevisionId revision) => new(
        SqlStatement.Of(
            $"""
            SELECT 'opened', {VersionColumns} FROM note_revisions WHERE note_id = ? AND hlc = ? AND site_id = ?
            UNION ALL
            SELECT 'current', {NoteVersionColumns} FROM notes WHERE id = ?
            """,
            Key(noteId), revision.Hlc, revision.SiteId, Key(noteId)),
        result =>
        {
            var versions = result.Rows.ToDictionary(row => row.GetString(0), row => ReadVersion(row, from: 1));
            return versions.TryGetValue("opened", out var opened) && versions.TryGetValue("current", out var current)
                ? new OpenedRevision(opened, current)
                : null;
        });

    /// <summary>This site's own revisions after local sequence <paramref name="afterSeq"/> up to <paramref name="throughSeq"/>, oldest first.</summary>
    public static SqlQuery<IReadOnlyList<LocalRevision>> Since(string siteId, long afterSeq, long throughSeq, int limit) => SqlQuery.Rows(
        SqlStatement.Of(
            """
            SELECT seq, note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at, pruned
            FROM note_revisions WHERE site_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?
            """,
            siteId, afterSeq, throughSeq, limit),
        ReadLocal);

    /// <summary>
    /// A page of what a snapshot holds of this site's revisions, in sequence order: each whole if
    /// it is still a head of its note (a version the note shows, or a conflict), one of its note's
    /// <paramref name="keepVersions"/> newest revisions, or stamped at <paramref name="keepSinceHlc"/>
    /// or later; else pruned, without its body. What is kept whole is closed upward: a revision
    /// newer than a kept one is kept too, so no kept revision loses the one that replaced it.
    /// </summary>
    public static SqlQuery<IReadOnlyList<LocalRevision>> Snapshot(string siteId, long afterSeq, long throughSeq, int limit, int keepVersions, long keepSinceHlc) => SqlQuery.Rows(
        SqlStatement.Named(
            """
            SELECT seq, note_id, hlc, site_id, parents, version, title, CASE WHEN keep THEN body ELSE '' END, deleted, created_at, updated_at, NOT keep
            FROM (
                SELECT r.*, r.pruned = 0 AND (
                    r.hlc >= :since
                    OR NOT EXISTS (SELECT 1 FROM note_revision_parents e WHERE e.note_id = r.note_id AND e.parent_hlc = r.hlc AND e.parent_site_id = r.site_id)
                    OR (SELECT count(*) FROM note_revisions o WHERE o.note_id = r.note_id AND (o.hlc, o.site_id) > (r.hlc, r.site_id)) < :versions) AS keep
                FROM note_revisions r WHERE r.site_id = :site AND r.seq > :after AND r.seq <= :through ORDER BY r.seq LIMIT :limit)
            ORDER BY seq
            """,
            new Dictionary<string, object?>
            {
                ["site"] = siteId, ["after"] = afterSeq, ["through"] = throughSeq, ["limit"] = limit, ["versions"] = keepVersions, ["since"] = keepSinceHlc,
            }),
        ReadLocal);

    /// <summary>How many revisions are held without their body: what snapshots pruned.</summary>
    public static SqlQuery<long> PrunedCount { get; } = SqlQuery.Scalar(SqlStatement.Of("SELECT count(*) FROM note_revisions WHERE pruned = 1"));

    private static LocalRevision ReadLocal(RqliteRow row) => new(
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
                row.GetInt64(10),
                row.GetBoolean(11)));

    /// <summary>The newest local sequence number of a site's revisions, 0 when it has none.</summary>
    public static SqlQuery<long> NewestSeq(string siteId) =>
        SqlQuery.Scalar(SqlStatement.Of("SELECT coalesce(max(seq), 0) FROM note_revisions WHERE site_id = ?", siteId));

    /// <summary>The newest clock stamp stored, so a restarted site's clock never issues a smaller one.</summary>
    public static SqlQuery<long> NewestHlc { get; } =
        SqlQuery.Scalar(SqlStatement.Of("SELECT max(coalesce((SELECT max(hlc) FROM note_revisions), 0), coalesce((SELECT max(hlc) FROM properties), 0))"));

    /// <summary>Every revision's key.</summary>
    public static SqlQuery<IReadOnlyList<RevisionKey>> Keys { get; } = SqlQuery.Rows(
        SqlStatement.Of("SELECT note_id, hlc, site_id FROM note_revisions ORDER BY note_id, hlc, site_id"),
        row => new RevisionKey(Guid.Parse(row.GetString(0)), row.GetInt64(1), row.GetString(2)));

    private static NoteVersion ReadVersion(RqliteRow row, int from = 0) => new(
        new RevisionId(row.GetInt64(from), row.GetString(from + 1)).ToString(),
        row.GetString(from + 1),
        row.GetInt64(from + 2),
        row.GetString(from + 3),
        row.GetString(from + 4),
        row.GetBoolean(from + 5),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(from + 6)),
        row.GetBoolean(from + 7));

    private static NoteHistoryEntry ReadHistoryEntry(RqliteRow row) => new(
        new RevisionId(row.GetInt64(0), row.GetString(1)).ToString(),
        row.GetString(1),
        row.GetInt64(2),
        row.GetString(3),
        row.GetBoolean(4),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)),
        row.GetBoolean(6));

    /// <summary>Revisions not held yet, and the body of one held pruned when it arrives whole.</summary>
    private static SqlStatement InsertRevisions(string revisionsJson) => SqlStatement.Named(
        """
        INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at, pruned)
        SELECT value ->> '$.n', value ->> '$.h', value ->> '$.s', value -> '$.p', value ->> '$.v',
               value ->> '$.t', value ->> '$.b', value ->> '$.d', value ->> '$.c', value ->> '$.u', coalesce(value ->> '$.x', 0)
        FROM json_each(:revisions) WHERE true
        ON CONFLICT (note_id, hlc, site_id) DO UPDATE SET body = excluded.body, pruned = 0
        WHERE note_revisions.pruned = 1 AND excluded.pruned = 0
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
        JsonSerializer.Serialize(revisions as NoteRevision[] ?? revisions.ToArray(), RevisionJson.Sql.NoteRevisionArray);

    internal static string NoteIds(IEnumerable<string> noteIds) =>
        JsonSerializer.Serialize(noteIds.Distinct().ToArray(), RevisionJson.Sql.StringArray);

    internal static string ParentsJson(IReadOnlyList<ParentRef> parents) =>
        JsonSerializer.Serialize(parents, RevisionJson.Sql.IReadOnlyListParentRef);

    /// <summary>Note ids are stored as lower-case UUID text.</summary>
    internal static string Key(Guid id) => id.ToString("D");
}
