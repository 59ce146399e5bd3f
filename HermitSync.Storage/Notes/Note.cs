using System.Text.Json.Serialization;

namespace HermitSync.Storage;

/// <summary>
/// A note as it stands: the winning revision and its labels. <see cref="Revision"/> names that
/// revision and is the ETag; <see cref="Conflicts"/> counts concurrent versions that lost and are kept.
/// <see cref="Stale"/> marks a read served while the cluster had no leader.
/// </summary>
public sealed record Note(
    Guid Id, string Title, string Body, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    string Revision, string SiteId, int Conflicts, NoteLabels Labels,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Stale = false)
{
    [JsonIgnore]
    public string ETag => $"\"{Revision}\"";
}

/// <summary>
/// A list entry: the body is cut to an excerpt so a page of results stays small. A search
/// result also carries <see cref="Snippet"/>, the part of the body around what matched.
/// </summary>
public sealed record NoteSummary(
    Guid Id, string Title, string Excerpt, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Conflicts, NoteLabels Labels,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<SnippetPart>? Snippet = null);

/// <summary>A stretch of a search result's snippet, and whether it is what the search matched.</summary>
public sealed record SnippetPart(string Text, bool Match);

public sealed record NotePage(
    IReadOnlyList<NoteSummary> Items, string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Stale = false);

/// <summary>
/// One revision of a note whole: what it said, when, on which site, and whether it deleted the
/// note. A conflict is a version that lost to a concurrent one; resolving it is a normal edit that names it.
/// A <see cref="Pruned"/> version came in a snapshot without its body (see the README's retention).
/// </summary>
public sealed record NoteVersion(string Revision, string SiteId, long Version, string Title, string Body, bool Deleted, DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Pruned = false);

/// <summary>One revision in a note's history: which site made it, when, whether it deleted the note, and whether its body was not kept.</summary>
public sealed record NoteHistoryEntry(string Revision, string SiteId, long Version, string Title, bool Deleted, DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Pruned = false);

/// <summary>A page of a note's history, newest first; <see cref="NextCursor"/> is null on the last page.</summary>
public sealed record NoteHistoryPage(
    IReadOnlyList<NoteHistoryEntry> Items, string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Stale = false);

/// <summary>
/// A revision opened from a note's history, beside the note as it stands now, tombstone or not:
/// what a comparison shows and what a restore is based on (<see cref="ETag"/>).
/// </summary>
public sealed record OpenedRevision(NoteVersion Revision, NoteVersion Current)
{
    [JsonIgnore]
    public string ETag => $"\"{Current.Revision}\"";
}

/// <summary>
/// A note in the Trash: when and on which site it was deleted, and the revision of the delete,
/// which a restore names in <c>If-Match</c>.
/// </summary>
public sealed record TrashedNote(Guid Id, string Title, string Excerpt, long Version, DateTimeOffset DeletedAt, string SiteId, string Revision);

public sealed record TrashPage(
    IReadOnlyList<TrashedNote> Items, string? NextCursor,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Stale = false);

/// <summary>
/// A <c>notes</c> row whole, tombstones included: what two sites must agree on once they have
/// exchanged everything. Times and the clock stay raw so a comparison misses nothing.
/// </summary>
public sealed record NoteRow(Guid Id, string Title, string Body, long Version, long CreatedAt, long UpdatedAt, long Hlc, string SiteId, bool Deleted, int Conflicts);

/// <summary>A note to be imported: its id and text, the times it came with (Unix milliseconds), and its tags, notebook and pin if it had them.</summary>
public sealed record NoteDraft(
    Guid Id, string Title, string Body, long CreatedAt, long UpdatedAt, IReadOnlyList<string>? Tags = null, string? NotebookId = null, bool Pinned = false);

public enum CreateStatus { Created, AlreadyExisted, IdTaken }

public sealed record CreateOutcome(Note Note, CreateStatus Status);

public enum WriteStatus { Done, NotFound, VersionMismatch, TextNotKept }

public sealed record WriteOutcome(Note? Note, WriteStatus Status);
