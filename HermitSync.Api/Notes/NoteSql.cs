namespace HermitSync.Api.Notes;

/// <summary>
/// The statements behind the note reads and the create, in one place so the benchmark can send
/// exactly what the API sends straight to rqlite.
/// </summary>
public static class NoteSql
{
    public const string Columns = "id, title, body, version, created_at, updated_at, hlc, site_id, conflicts";

    /// <summary>One live note; parameter: its id.</summary>
    public const string Read = $"SELECT {Columns} FROM notes WHERE id = ? AND deleted = 0";

    /// <summary>
    /// A page of live notes, latest edits first, with an excerpt of each body. Parameters:
    /// :pattern (a LIKE pattern, or null for all), :after_time and :after_id (the cursor, or
    /// null), :limit.
    /// </summary>
    public static readonly string Search = $"""
        SELECT id, title, substr(body, 1, {NoteRules.ExcerptLength}), version, created_at, updated_at, hlc, site_id, conflicts FROM notes
        WHERE deleted = 0
          AND (:pattern IS NULL OR title LIKE :pattern ESCAPE '\' OR body LIKE :pattern ESCAPE '\')
          AND (:after_time IS NULL OR updated_at < :after_time OR (updated_at = :after_time AND id < :after_id))
        ORDER BY updated_at DESC, id DESC
        LIMIT :limit
        """;

    /// <summary>
    /// A new note's first revision, unless a note with that id exists. Parameters: id, hlc,
    /// site id, title, body, created at, updated at, id again.
    /// </summary>
    public const string InsertFirstRevision = """
        INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
        SELECT ?, ?, ?, '[]', 1, ?, ?, 0, ?, ? WHERE NOT EXISTS (SELECT 1 FROM notes WHERE id = ?)
        ON CONFLICT DO NOTHING
        """;
}
