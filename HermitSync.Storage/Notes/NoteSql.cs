using System.Text.Json;
using System.Text.Json.Serialization;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// The <c>notes</c> table, each note's winning revision as derived by the merge: the reads
/// behind the API, and the writes that add a revision and refresh the row in one transaction.
/// An edit adds its revision only if the note is still at the version the client saw, and
/// reads the outcome back in the same request; a create needs no read.
/// </summary>
public static class NoteSql
{
    /// <summary>Read by <see cref="ReadRow"/> in this order.</summary>
    private const string Columns = "id, title, body, version, created_at, updated_at, hlc, site_id, deleted, conflicts";

    /// <summary>Where a column selected after <see cref="Columns"/> lands.</summary>
    private static readonly int AfterColumns = Columns.Split(',').Length;

    /// <summary>Read by <see cref="ReadNote"/>: a row and its labels.</summary>
    private static readonly string NoteColumns = $"{Columns}, {OrganizationSql.LabelsColumn}";

    /// <summary>Read by <see cref="ReadSummary"/>: the body cut to an excerpt, and the labels. Named with their table, as the search index has a title and a body too.</summary>
    private static readonly string SummaryColumns =
        $"notes.id, notes.title, substr(notes.body, 1, {NoteRules.ExcerptLength}), notes.version, notes.created_at, notes.updated_at, notes.conflicts, {OrganizationSql.LabelsColumn}";

    /// <summary>Where a column selected after <see cref="SummaryColumns"/> lands: <see cref="ReadSummary"/> reads eight.</summary>
    private const int SummaryColumnCount = 8;

    /// <summary>One live note, or null.</summary>
    public static SqlQuery<Note?> Get(Guid id) => new(
        SqlStatement.Of($"SELECT {NoteColumns} FROM notes WHERE id = ? AND deleted = 0", Key(id)),
        result => result.Rows.Count == 0 ? null : ReadNote(result.Rows[0]) with { Stale = result.Stale });

    /// <summary>
    /// A page of live notes that pass the query's filters, latest edits first. With a tag, a
    /// notebook or pinned notes asked for, the page is found in that label's notes by recency (the
    /// table <c>label_notes</c>), and every filter is tested on those rows, so no note is read but
    /// the page's; else it is read from the latest notes. A notebook's notes are listed under the
    /// notebook's own name, and SQLite reads each notebook of the tree only down to a page's worth,
    /// so a notebook with its notebooks costs a page per notebook however many newer notes others hold.
    /// </summary>
    public static SqlQuery<NotePage> List(SearchQuery filters, NoteCursor? after, int limit)
    {
        var parameters = new Dictionary<string, object?>(CursorParameters(after, limit).Concat(FilterParameters(filters)));
        var listedAs = filters switch
        {
            { Tag: { } tag } => Listed(parameters, Properties.TagName(tag)),
            { Notebook: not null } => $"l.name IN ({OrganizationSql.NotebookTreeListings})",
            { Pin: PinFilter.Pinned } => Listed(parameters, Properties.Pinned),
            _ => null,
        };
        return new(
            SqlStatement.Named(
                listedAs is not null
                    ? $"""
                      WITH page AS (
                          SELECT l.note_id AS note FROM label_notes l
                          WHERE {listedAs} AND {FiltersOn("l.note_id", "l.note_updated_at", "(SELECT conflicts FROM notes c WHERE c.id = l.note_id)")}
                            AND (l.note_updated_at, l.note_id) < (coalesce(:after_time, {long.MaxValue}), coalesce(:after_id, ''))
                          ORDER BY l.note_updated_at DESC, l.note_id DESC
                          LIMIT :limit)
                      SELECT {SummaryColumns} FROM page CROSS JOIN notes ON notes.id = page.note
                      ORDER BY updated_at DESC, id DESC
                      """
                    : $"""
                      SELECT {SummaryColumns} FROM notes
                      WHERE deleted = 0 AND {Filters} AND {AfterCursor}
                      ORDER BY updated_at DESC, id DESC
                      LIMIT :limit
                      """,
                parameters),
            result =>
            {
                var (items, next) = KeysetPage.Read(result, limit, ReadSummary, n => new NoteCursor(n.UpdatedAt.ToUnixTimeMilliseconds(), n.Id).Encode());
                return new NotePage(items, next, result.Stale);
            });
    }

    /// <summary>The condition that reads one label's notes, its name bound as <c>:label</c>.</summary>
    private static string Listed(Dictionary<string, object?> parameters, string label)
    {
        parameters["label"] = label;
        return "l.name = :label";
    }

    /// <summary>
    /// A page of live notes that hold every word of the query, best match first by bm25, a match
    /// in the title weighing <see cref="TitleWeight"/> times one in the body; each with a snippet
    /// of its body around the match. Only the <see cref="SearchQuery.MaxRanked"/> newest matches
    /// are ranked: scoring every note that holds a word as common as "the" would cost a scan of
    /// the collection, and past that many results a person adds a word. The snippet is cut by
    /// FTS5 for the page's notes alone, so no whole body leaves rqlite. (CROSS JOIN keeps the page
    /// the outer loop: SQLite would otherwise run the match over every note that holds the words.)
    /// </summary>
    public static SqlQuery<NotePage> Search(SearchQuery query, RankCursor? after, int limit)
    {
        var offset = after?.Offset ?? 0;
        return new(
            SqlStatement.Named(
                $"""
                WITH found AS (
                    SELECT notes_search.rowid AS rowid, notes.id AS id, bm25(notes_search, {TitleWeight}, 1.0) AS score
                    FROM notes_search JOIN notes ON notes.rowid = notes_search.rowid
                    WHERE notes_search MATCH :match AND notes.deleted = 0 AND {Filters}
                    ORDER BY notes_search.rowid DESC
                    LIMIT :ranked),
                page AS (SELECT rowid, id, score FROM found ORDER BY score, id LIMIT :limit OFFSET :offset)
                SELECT {SummaryColumns}, {SearchSnippet.Column}
                FROM page CROSS JOIN notes_search ON notes_search.rowid = page.rowid CROSS JOIN notes ON notes.rowid = page.rowid
                WHERE notes_search MATCH :match
                ORDER BY page.score, page.id
                """,
                new Dictionary<string, object?>(FilterParameters(query))
                {
                    ["match"] = query.MatchExpression(),
                    ["ranked"] = SearchQuery.MaxRanked,
                    ["limit"] = KeysetPage.Probe(limit),
                    ["offset"] = offset,
                }),
            result =>
            {
                var items = result.Rows.Take(limit).Select(row => ReadSummary(row) with { Snippet = SearchSnippet.Read(row.GetString(SummaryColumnCount)) }).ToArray();
                var next = result.Rows.Count > limit && offset + limit < SearchQuery.MaxRanked ? new RankCursor(offset + limit).Encode() : null;
                return new NotePage(items, next, result.Stale);
            });
    }

    /// <summary>The live notes with this title, case aside, the latest edited first: where a <c>[[link]]</c> leads.</summary>
    public static SqlQuery<IReadOnlyList<NoteSummary>> Titled(string title) => SqlQuery.Rows(
        SqlStatement.Of($"SELECT {SummaryColumns} FROM notes WHERE deleted = 0 AND title = ? COLLATE NOCASE ORDER BY updated_at DESC LIMIT ?", title, MaxTitled),
        ReadSummary);

    /// <summary>How many notes of one title a link lists; a person who has more renames some.</summary>
    public const int MaxTitled = 20;

    /// <summary>
    /// The live notes whose body links to <paramref name="title"/> (<c>[[title]]</c> or
    /// <c>[[title|label]]</c>, case aside), the latest edited first. The search index finds the
    /// notes that hold the title's words in their body, and only those are read whole; a title
    /// with no word to look up is searched for in every body.
    /// </summary>
    public static SqlQuery<IReadOnlyList<NoteSummary>> LinkingTo(Guid id, string title, int limit)
    {
        var parameters = new Dictionary<string, object?> { ["id"] = Key(id), ["title"] = title, ["limit"] = limit };
        var source = "notes WHERE";
        if (title.Any(char.IsLetterOrDigit))
        {
            source = "notes_search JOIN notes ON notes.rowid = notes_search.rowid WHERE notes_search MATCH :match AND";
            parameters["match"] = $"body : {SearchQuery.Quoted(title)}";
        }
        return SqlQuery.Rows(
            SqlStatement.Named(
                $"""
                SELECT {SummaryColumns} FROM {source} notes.deleted = 0 AND notes.id <> :id
                  AND (instr(lower(notes.body), lower('[[' || :title || ']]')) > 0 OR instr(lower(notes.body), lower('[[' || :title || '|')) > 0)
                ORDER BY notes.updated_at DESC
                LIMIT :limit
                """,
                parameters),
            ReadSummary);
    }

    /// <summary>
    /// Fails ("database disk image is malformed") unless the search index holds exactly what the
    /// notes table says, the check to run after anything but these statements touched the table.
    /// </summary>
    public static SqlStatement CheckSearchIndex { get; } = SqlStatement.Of("INSERT INTO notes_search (notes_search, rank) VALUES ('integrity-check', 1)");

    private const double TitleWeight = 10.0;

    /// <summary>The filters a search can carry besides its words, on the notes table, bound by <see cref="FilterParameters"/>.</summary>
    private static readonly string Filters = FiltersOn("notes.id", "updated_at", "conflicts");

    /// <summary>The same filters, for a note whose id, time and conflict count are these expressions.</summary>
    private static string FiltersOn(string id, string updatedAt, string conflicts) => $"""
        (:before IS NULL OR {updatedAt} < :before) AND (:after IS NULL OR {updatedAt} >= :after) AND (:has_conflict = 0 OR {conflicts} > 0)
        AND {OrganizationSql.Filters(id)}
        """;

    private static Dictionary<string, object?> FilterParameters(SearchQuery query) => new(OrganizationSql.FilterParameters(query))
    {
        ["before"] = query.Before?.ToUnixTimeMilliseconds(),
        ["after"] = query.After?.ToUnixTimeMilliseconds(),
        ["has_conflict"] = query.HasConflict ? 1 : 0,
    };


    /// <summary>A page of the Trash: deleted notes, the latest deleted first.</summary>
    public static SqlQuery<TrashPage> Trash(NoteCursor? after, int limit) => new(
        SqlStatement.Named(
            $"""
            SELECT id, title, substr(body, 1, {NoteRules.ExcerptLength}), version, updated_at, site_id, hlc FROM notes
            WHERE deleted = 1 AND {AfterCursor}
            ORDER BY updated_at DESC, id DESC
            LIMIT :limit
            """,
            CursorParameters(after, limit)),
        result =>
        {
            var (items, next) = KeysetPage.Read(result, limit, ReadTrashed, n => new NoteCursor(n.DeletedAt.ToUnixTimeMilliseconds(), n.Id).Encode());
            return new TrashPage(items, next, result.Stale);
        });

    /// <summary>Rows after a <see cref="NoteCursor"/> in the order <c>updated_at DESC, id DESC</c>, bound by <see cref="CursorParameters"/>.</summary>
    private const string AfterCursor = "(:after_time IS NULL OR updated_at < :after_time OR (updated_at = :after_time AND id < :after_id))";

    private static Dictionary<string, object?> CursorParameters(NoteCursor? after, int limit) => new()
    {
        ["after_time"] = after?.UpdatedAt,
        ["after_id"] = after is { } cursor ? Key(cursor.Id) : null,
        ["limit"] = KeysetPage.Probe(limit),
    };

    /// <summary>
    /// A new note's first revision, unless a note with that id exists. What a create writes is
    /// known, so its note comes back without a read; when it wrote nothing (the id exists),
    /// <see cref="Existing"/> tells a retry of this create from another note with the id. An
    /// imported note keeps the times it came with (<paramref name="updatedAt"/>); a new one was
    /// created and updated <paramref name="createdAt"/>.
    /// </summary>
    public static SqlBatch<Note?> Create(Guid id, string title, string body, long hlc, string siteId, long createdAt, long? updatedAt = null)
    {
        var updated = updatedAt ?? createdAt;
        return new(
            [
                FirstRevision(new NoteDraft(id, title, body, createdAt, updated), hlc, siteId),
                RevisionSql.RefreshNotes(RevisionSql.NoteIds([Key(id)])),
                .. ReferencesOf([(Key(id), body)]),
            ],
            // A note's only revision is its row, as RefreshNotes derives it.
            results => results[0].RowsAffected == 1 ? ToNote(new NoteRow(id, title, body, 1, createdAt, updated, hlc, siteId, Deleted: false, Conflicts: 0), NoteLabels.None) : null);
    }

    /// <summary>
    /// Imported notes as first revisions, in one transaction, each unless a note with its id
    /// exists: so a note is in whole or not at all, and importing the same notes again adds
    /// nothing. The ids must differ, as two first revisions of one id would be a conflict.
    /// Reads, for each draft in order, whether it was written.
    /// </summary>
    public static SqlBatch<IReadOnlyList<bool>> Import(IReadOnlyList<NoteDraft> drafts, Func<long> nextHlc, string siteId)
    {
        if (drafts.Select(d => d.Id).Distinct().Count() != drafts.Count)
        {
            throw new ArgumentException("An import batch holds one draft per id.", nameof(drafts));
        }
        var stamped = drafts.Select(d => (Draft: d, Hlc: nextHlc())).ToArray();
        var labels = stamped.SelectMany(s => Labels(s.Draft).Select(l => new ImportedLabel(Key(s.Draft.Id), l.Name, l.Value, nextHlc(), siteId, s.Hlc))).ToArray();
        List<SqlStatement> statements = [.. stamped.Select(s => FirstRevision(s.Draft, s.Hlc, siteId)), RevisionSql.RefreshNotes(RevisionSql.NoteIds(drafts.Select(d => Key(d.Id))))];
        if (labels.Length > 0)
        {
            statements.Add(ImportLabels(labels));
        }
        statements.AddRange(ReferencesOf(drafts.Select(d => (Key(d.Id), (string?)d.Body))));
        return new(statements, results => results.Take(drafts.Count).Select(r => r.RowsAffected == 1).ToArray());
    }

    /// <summary>A draft's tags, notebook and pin as the properties they are.</summary>
    private static IEnumerable<(string Name, string Value)> Labels(NoteDraft draft) =>
        (draft.Tags ?? []).Select(t => t.Trim()).DistinctBy(Properties.TagKey).Select(t => (Properties.TagName(t), t))
            .Concat(draft.NotebookId is { } notebook ? [(Properties.Notebook, notebook)] : [])
            .Concat(draft.Pinned ? [(Properties.Pinned, Properties.Set)] : []);

    /// <summary>An imported note's label, written only if the note's own first revision (<see cref="RevisionHlc"/>) was written by the same import.</summary>
    private sealed record ImportedLabel(
        [property: JsonPropertyName("e")] string EntityId,
        [property: JsonPropertyName("k")] string Name,
        [property: JsonPropertyName("v")] string Value,
        [property: JsonPropertyName("h")] long Hlc,
        [property: JsonPropertyName("s")] string SiteId,
        [property: JsonPropertyName("rh")] long RevisionHlc);

    /// <summary>
    /// The labels of the notes this import wrote: a note that was here already keeps its own, so
    /// importing a file again never brings back a tag removed since.
    /// </summary>
    private static SqlStatement ImportLabels(IReadOnlyList<ImportedLabel> labels) => SqlStatement.Named(
        """
        INSERT INTO properties (entity_id, name, value, hlc, site_id)
        SELECT l.value ->> '$.e', l.value ->> '$.k', l.value ->> '$.v', l.value ->> '$.h', l.value ->> '$.s' FROM json_each(:labels) l
        WHERE EXISTS (SELECT 1 FROM note_revisions r WHERE r.note_id = l.value ->> '$.e' AND r.hlc = l.value ->> '$.rh' AND r.site_id = l.value ->> '$.s')
        ON CONFLICT (entity_id, name) DO NOTHING
        """,
        new Dictionary<string, object?> { ["labels"] = JsonSerializer.Serialize(labels, LabelJson) });

    /// <summary>An import's labels as a statement parameter (<see cref="SqlJson"/>).</summary>
    private static readonly JsonSerializerOptions LabelJson = SqlJson.Options();

    /// <summary>A note's first revision, unless a note with its id exists.</summary>
    private static SqlStatement FirstRevision(NoteDraft draft, long hlc, string siteId) => SqlStatement.Of(
        """
        INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
        SELECT ?, ?, ?, '[]', 1, ?, ?, 0, ?, ? WHERE NOT EXISTS (SELECT 1 FROM notes WHERE id = ?)
        ON CONFLICT DO NOTHING
        """,
        Key(draft.Id), hlc, siteId, draft.Title, draft.Body, draft.CreatedAt, draft.UpdatedAt, Key(draft.Id));

    /// <summary>The rows, tombstones included, of those of <paramref name="ids"/> that exist.</summary>
    public static SqlQuery<IReadOnlyList<NoteRow>> FindAll(IEnumerable<Guid> ids) => SqlQuery.Rows(
        SqlStatement.Of($"SELECT {Columns} FROM notes WHERE id IN (SELECT value FROM json_each(?))", RevisionSql.NoteIds(ids.Select(Key))),
        ReadRow);

    /// <summary>The note a create that wrote nothing found: its own, stored by an earlier try, or a different one.</summary>
    public static SqlQuery<CreateOutcome> Existing(Guid id, string title, string body) => new(
        SqlStatement.Of($"SELECT {NoteColumns} FROM notes WHERE id = ?", Key(id)),
        result =>
        {
            var stored = ReadRow(result.Rows[0]);
            var sameNote = stored is { Deleted: false, Version: 1 } && stored.Title == title && stored.Body == body;
            return new CreateOutcome(ReadNote(result.Rows[0]), sameNote ? CreateStatus.AlreadyExisted : CreateStatus.IdTaken);
        });

    /// <summary>
    /// A revision made from <paramref name="basedOn"/> (an edit, or with <paramref name="deleted"/>
    /// a tombstone, which keeps the last title and body), added only if that is still the note's
    /// current revision. A retried write that finds its own revision stored counts as done. Only
    /// a restore (<paramref name="restoring"/>) may be made on top of a delete: to anything else a
    /// deleted note is not found.
    /// </summary>
    public static SqlBatch<WriteOutcome> AddRevision(
        Guid id, RevisionId basedOn, IReadOnlyList<ParentRef> parents, long hlc, string siteId, bool deleted, bool restoring, string? title, string? body, long now)
    {
        var parentsJson = RevisionSql.ParentsJson(parents);
        return new SqlBatch<WriteOutcome>(
            [
                SqlStatement.Named(
                    """
                    INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
                    SELECT id, :hlc, :site, :parents, version + 1, coalesce(:title, title), coalesce(:body, body), :deleted, created_at, max(:now, updated_at)
                    FROM notes WHERE id = :id AND (deleted = 0 OR :restoring) AND hlc = :based_hlc AND site_id = :based_site
                    ON CONFLICT DO NOTHING
                    """,
                    new Dictionary<string, object?>
                    {
                        ["id"] = Key(id), ["hlc"] = hlc, ["site"] = siteId, ["parents"] = parentsJson,
                        ["title"] = title, ["body"] = body, ["deleted"] = deleted, ["restoring"] = restoring, ["now"] = now,
                        ["based_hlc"] = basedOn.Hlc, ["based_site"] = basedOn.SiteId,
                    }),
                SqlStatement.Named(
                    """
                    INSERT INTO note_revision_parents (note_id, parent_hlc, parent_site_id, child_hlc, child_site_id)
                    SELECT :id, p.value ->> '$.h', p.value ->> '$.s', :hlc, :site FROM json_each(:parents) p
                    WHERE EXISTS (SELECT 1 FROM note_revisions WHERE note_id = :id AND hlc = :hlc AND site_id = :site)
                    ON CONFLICT DO NOTHING
                    """,
                    new Dictionary<string, object?> { ["id"] = Key(id), ["hlc"] = hlc, ["site"] = siteId, ["parents"] = parentsJson }),
                RevisionSql.RefreshNotes(RevisionSql.NoteIds([Key(id)])),
                SqlStatement.Of(
                    $"SELECT {NoteColumns}, EXISTS (SELECT 1 FROM note_revisions WHERE note_id = ? AND hlc = ? AND site_id = ?) FROM notes WHERE id = ?",
                    Key(id), hlc, siteId, Key(id)),
                .. ReferencesOf([(Key(id), body)]),
            ],
            results =>
            {
                if (results[3].Rows.Count == 0)
                {
                    return new WriteOutcome(null, WriteStatus.NotFound);
                }
                var row = results[3].Rows[0];
                var stored = ReadRow(row);
                var ours = row.GetBoolean(AfterColumns + 1);
                // A restore that finds the note moved on is stale, whether it was restored or deleted again meanwhile.
                var status = ours ? WriteStatus.Done : stored.Deleted && !restoring ? WriteStatus.NotFound : WriteStatus.VersionMismatch;
                return new WriteOutcome(ReadNote(row), status);
            });
    }

    /// <summary>The attachments the bodies link to, recorded for their notes: no statement when they link to none.</summary>
    private static IEnumerable<SqlStatement> ReferencesOf(IEnumerable<(string NoteId, string? Body)> bodies) =>
        AttachmentSql.Reference(bodies) is { } references ? [references] : [];

    /// <summary>How many of the given notes are left with concurrent versions.</summary>
    public static SqlQuery<long> CountInConflict(IEnumerable<string> noteIds) => SqlQuery.Scalar(SqlStatement.Of(
        "SELECT count(*) FROM notes WHERE id IN (SELECT value FROM json_each(?)) AND conflicts > 0", RevisionSql.NoteIds(noteIds)));

    /// <summary>
    /// A page of live notes whole, in id order after <paramref name="after"/>: what an export
    /// reads, a page at a time, so the collection is never held whole. The primary key orders it.
    /// </summary>
    public static SqlQuery<IReadOnlyList<Note>> ExportPage(Guid? after, int limit) => SqlQuery.Rows(
        SqlStatement.Of($"SELECT {NoteColumns} FROM notes WHERE deleted = 0 AND id > ? ORDER BY id LIMIT ?", after is { } id ? Key(id) : "", limit),
        ReadNote);

    /// <summary>Every row, tombstones included, in id order: what converged sites must hold alike.</summary>
    public static SqlQuery<IReadOnlyList<NoteRow>> All { get; } = SqlQuery.Rows(SqlStatement.Of($"SELECT {Columns} FROM notes ORDER BY id"), ReadRow);

    /// <summary>One note's row, tombstone or not, or null.</summary>
    public static SqlQuery<NoteRow?> Find(Guid id) => SqlQuery.FirstOrDefault(SelectRow(id), ReadRow);

    private static SqlStatement SelectRow(Guid id) => SqlStatement.Of($"SELECT {Columns} FROM notes WHERE id = ?", Key(id));

    private static NoteRow ReadRow(RqliteRow row) => new(
        Guid.Parse(row.GetString(0)),
        row.GetString(1),
        row.GetString(2),
        row.GetInt64(3),
        row.GetInt64(4),
        row.GetInt64(5),
        row.GetInt64(6),
        row.GetString(7),
        row.GetBoolean(8),
        (int)row.GetInt64(9));

    /// <summary>How many notes there are, tombstones included.</summary>
    public static SqlQuery<long> Count { get; } = SqlQuery.Scalar(SqlStatement.Of("SELECT count(*) FROM notes"));

    /// <summary>Up to <paramref name="count"/> live notes' ids, picked at random.</summary>
    public static SqlQuery<IReadOnlyList<Guid>> SampleIds(int count) => SqlQuery.Rows(
        SqlStatement.Of("SELECT id FROM notes WHERE deleted = 0 ORDER BY random() LIMIT ?", count),
        row => Guid.Parse(row.GetString(0)));

    private static Note ReadNote(RqliteRow row) => ToNote(ReadRow(row), OrganizationSql.ReadLabels(row.GetString(AfterColumns)));

    private static Note ToNote(NoteRow row, NoteLabels labels) => new(
        row.Id, row.Title, row.Body, row.Version,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt),
        new RevisionId(row.Hlc, row.SiteId).ToString(), row.SiteId, row.Conflicts, labels);

    private static NoteSummary ReadSummary(RqliteRow row) => new(
        Guid.Parse(row.GetString(0)),
        row.GetString(1),
        row.GetString(2),
        row.GetInt64(3),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)),
        (int)row.GetInt64(6),
        OrganizationSql.ReadLabels(row.GetString(7)));

    private static TrashedNote ReadTrashed(RqliteRow row) => new(
        Guid.Parse(row.GetString(0)),
        row.GetString(1),
        row.GetString(2),
        row.GetInt64(3),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(4)),
        row.GetString(5),
        new RevisionId(row.GetInt64(6), row.GetString(5)).ToString());

    private static string Key(Guid id) => RevisionSql.Key(id);
}
