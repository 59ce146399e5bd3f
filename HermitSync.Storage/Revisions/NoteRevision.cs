using System.Text.Json.Serialization;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// One immutable version of a note, as stored and as carried in change files. A delete is a
/// revision too (a tombstone), so it syncs and merges like an edit. Short JSON names keep
/// change files small. A <see cref="Pruned"/> revision is one a snapshot carried without its
/// body, as it was replaced long ago: it keeps its place among the note's revisions (what it
/// replaced, what replaced it) and its title, not its text.
/// </summary>
public sealed record NoteRevision(
    [property: JsonPropertyName("n")] string NoteId,
    [property: JsonPropertyName("h")] long Hlc,
    [property: JsonPropertyName("s")] string SiteId,
    [property: JsonPropertyName("p")] IReadOnlyList<ParentRef> Parents,
    [property: JsonPropertyName("v")] long Version,
    [property: JsonPropertyName("t")] string Title,
    [property: JsonPropertyName("b")] string Body,
    [property: JsonPropertyName("d")] bool Deleted,
    [property: JsonPropertyName("c")] long CreatedAt,
    [property: JsonPropertyName("u")] long UpdatedAt,
    [property: JsonPropertyName("x"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Pruned = false)
{
    [JsonIgnore]
    public RevisionId Id => new(Hlc, SiteId);
}

/// <summary>A revision this one was made from: it saw that version and replaces it.</summary>
public sealed record ParentRef([property: JsonPropertyName("h")] long Hlc, [property: JsonPropertyName("s")] string SiteId)
{
    public static ParentRef Of(RevisionId id) => new(id.Hlc, id.SiteId);
}

/// <summary>
/// Revisions as JSON, one form for all: the merge SQL reads these short names with
/// <c>json_each</c>, and change files carry the same arrays.
/// </summary>
[JsonSerializable(typeof(NoteRevision[]))]
[JsonSerializable(typeof(IReadOnlyList<ParentRef>))]
[JsonSerializable(typeof(string[]))]
public sealed partial class RevisionJson : JsonSerializerContext
{
    /// <summary>The same, written as a statement's parameter (<see cref="SqlJson"/>).</summary>
    public static RevisionJson Sql { get; } = new(SqlJson.Options());
}
