using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// Notebooks, tags and pins as people see them, read from the <c>properties</c> registers: a
/// note's labels, the notebooks, the tags in use. Every write is a <see cref="PropertyChange"/>
/// merged by <see cref="PropertySql.Merge"/>, the API's and a peer's alike.
/// </summary>
public static class OrganizationSql
{
    /// <summary>
    /// A note's labels as one JSON column (<c>[[name, value], …]</c>, set ones only), for the
    /// notes table's reads to select beside their columns; read by <see cref="ReadLabels"/>.
    /// </summary>
    internal const string LabelsColumn = """
        (SELECT json_group_array(json_array(p.name, p.value)) FROM properties p
         WHERE p.entity_id = notes.id AND p.name LIKE 'note.%' AND p.value <> '')
        """;

    internal static NoteLabels ReadLabels(string json)
    {
        string? notebook = null;
        var pinned = false;
        var tags = new List<string>();
        foreach (var pair in JsonSerializer.Deserialize(json, ChangeSetJson.Default.StringArrayArray) ?? [])
        {
            switch (pair[0])
            {
                case Properties.Notebook:
                    notebook = pair[1];
                    break;
                case Properties.Pinned:
                    pinned = true;
                    break;
                default:
                    tags.Add(pair[1]);
                    break;
            }
        }
        tags.Sort(StringComparer.CurrentCultureIgnoreCase);
        return new NoteLabels(notebook, pinned, tags);
    }

    /// <summary>
    /// The notebook a filter names (<c>:notebook</c>, by name) and every notebook inside it, deleted
    /// ones too, since a note in a deleted notebook shows in the nearest one left above it: a query
    /// of their ids.
    /// </summary>
    private const string NotebookTree = """
        WITH RECURSIVE within(id) AS (
            SELECT n.entity_id FROM properties n
            WHERE n.name = 'notebook.name' AND n.value = :notebook COLLATE NOCASE
              AND NOT EXISTS (SELECT 1 FROM properties d WHERE d.entity_id = n.entity_id AND d.name = 'notebook.deleted' AND d.value <> '')
            UNION
            SELECT c.entity_id FROM properties c JOIN within ON c.name = 'notebook.parent' AND c.value = within.id)
        SELECT id FROM within
        """;

    /// <summary>
    /// The filters a list or search can carry for labels, bound by <see cref="FilterParameters"/>,
    /// for the note whose id is <paramref name="noteId"/>: a tag, pinned notes or the others, and a
    /// notebook with the notebooks inside it.
    /// </summary>
    internal static string Filters(string noteId) => $"""
        (:tag IS NULL OR EXISTS (SELECT 1 FROM properties t WHERE t.entity_id = {noteId} AND t.name = :tag AND t.value <> ''))
        AND (:pinned = 0 OR (:pinned = 1) = EXISTS (SELECT 1 FROM properties t WHERE t.entity_id = {noteId} AND t.name = 'note.pinned' AND t.value <> ''))
        AND (:notebook IS NULL OR EXISTS (
            SELECT 1 FROM properties t WHERE t.entity_id = {noteId} AND t.name = 'note.notebook' AND t.value IN ({NotebookTree})))
        """;

    /// <summary>
    /// What <c>label_notes</c> lists a note under for its label in the <c>properties</c> row
    /// <paramref name="row"/>: the label's name; for a notebook, the notebook's own
    /// (<c>note.notebook:</c> and its id), so that one notebook's notes are read by recency
    /// without reading those of every other notebook.
    /// </summary>
    internal static string ListedAs(string row) =>
        $"CASE WHEN {row}.name = '{Properties.Notebook}' THEN '{NotebookListing}' || {row}.value ELSE {row}.name END";

    private const string NotebookListing = Properties.Notebook + ":";

    /// <summary>The names <c>label_notes</c> lists the notes of the filter's notebook and those inside it under, as a query.</summary>
    internal const string NotebookTreeListings = $"SELECT '{NotebookListing}' || id FROM ({NotebookTree})";

    internal static IEnumerable<KeyValuePair<string, object?>> FilterParameters(SearchQuery query) =>
    [
        new("tag", query.Tag is { } tag ? Properties.TagName(tag) : null),
        new("pinned", query.Pin switch { PinFilter.Pinned => 1, PinFilter.Unpinned => 2, _ => 0 }),
        new("notebook", query.Notebook),
    ];

    /// <summary>
    /// How many rows of <c>label_counts</c> and <c>label_notes</c> say otherwise than the live
    /// notes' labels do: 0, unless their triggers missed a write.
    /// </summary>
    public static SqlQuery<long> LabelMismatches { get; } = SqlQuery.Scalar(SqlStatement.Of(
        $"""
        WITH labelled AS (
                SELECT p.name, p.value, {ListedAs("p")} AS listed_as, notes.updated_at, notes.id FROM properties p JOIN notes ON notes.id = p.entity_id AND notes.deleted = 0
                WHERE p.name LIKE 'note.%' AND p.value <> ''),
             kept AS (SELECT name, value, notes FROM label_counts WHERE notes <> 0),
             counted AS (SELECT name, value, count(*) AS notes FROM labelled GROUP BY name, value),
             listed AS (SELECT name, note_updated_at, note_id FROM label_notes),
             expected AS (SELECT listed_as, updated_at, id FROM labelled)
        SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM counted))
             + (SELECT count(*) FROM (SELECT * FROM counted EXCEPT SELECT * FROM kept))
             + (SELECT count(*) FROM (SELECT * FROM listed EXCEPT SELECT * FROM expected))
             + (SELECT count(*) FROM (SELECT * FROM expected EXCEPT SELECT * FROM listed))
        """));

    /// <summary>Every register of one note or notebook, set or not, with its stamp: what a change is made against.</summary>
    public static SqlQuery<IReadOnlyList<PropertyChange>> Registers(Guid entityId) => SqlQuery.Rows(
        SqlStatement.Of("SELECT entity_id, name, value, hlc, site_id FROM properties WHERE entity_id = ?", RevisionSql.Key(entityId)),
        row => new PropertyChange(row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt64(3), row.GetString(4)));

    /// <summary>Every notebook ever made, deleted ones too, with how many live notes name each.</summary>
    public static SqlQuery<IReadOnlyList<NotebookRow>> Notebooks { get; } = SqlQuery.Rows(
        SqlStatement.Of(
            """
            SELECT n.entity_id, n.value,
                   coalesce((SELECT p.value FROM properties p WHERE p.entity_id = n.entity_id AND p.name = 'notebook.parent'), ''),
                   EXISTS (SELECT 1 FROM properties d WHERE d.entity_id = n.entity_id AND d.name = 'notebook.deleted' AND d.value <> ''),
                   coalesce((SELECT c.notes FROM label_counts c WHERE c.name = 'note.notebook' AND c.value = n.entity_id), 0)
            FROM properties n WHERE n.name = 'notebook.name'
            """),
        row => new NotebookRow(row.GetString(0), row.GetString(1), row.GetString(2) is { Length: > 0 } parent ? parent : null, row.GetBoolean(3), row.GetInt64(4)));

    /// <summary>How many live notes carry a tag, as <c>label_counts</c> keeps it.</summary>
    public static SqlQuery<long> TaggedNotes(string tag) => SqlQuery.Scalar(
        SqlStatement.Of("SELECT coalesce(sum(notes), 0) FROM label_counts WHERE name = ?", Properties.TagName(tag)));

    /// <summary>The tags on live notes, with how many notes carry each, most used first.</summary>
    public static SqlQuery<IReadOnlyList<TagCount>> Tags { get; } = SqlQuery.Rows(
        SqlStatement.Of(
            $"""
            SELECT max(value), sum(notes) FROM label_counts
            WHERE name >= '{Properties.TagPrefix}' AND name < '{Properties.TagPrefix[..^1]};' AND notes > 0
            GROUP BY name ORDER BY sum(notes) DESC, name
            """),
        row => new TagCount(row.GetString(0), row.GetInt64(1)));
}

/// <summary>A note's labels: the notebook it was put in (null for none), whether it is pinned, and its tags.</summary>
public sealed record NoteLabels(string? NotebookId, bool Pinned, IReadOnlyList<string> Tags)
{
    public static NoteLabels None { get; } = new(null, false, []);

    public bool Equals(NoteLabels? other) =>
        other is not null && NotebookId == other.NotebookId && Pinned == other.Pinned && Tags.SequenceEqual(other.Tags);

    public override int GetHashCode() => HashCode.Combine(NotebookId, Pinned, Tags.Count);
}

/// <summary>A notebook as stored: its parent is null at the top, and a deleted one is kept so its notes find the nearest one above it.</summary>
public sealed record NotebookRow(string Id, string Name, string? ParentId, bool Deleted, long Notes);

public sealed record TagCount(string Tag, long Notes);
