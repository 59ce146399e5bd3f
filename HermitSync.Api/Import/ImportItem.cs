namespace HermitSync.Api.Import;

/// <summary>
/// One item an import file held: a note read whole, or why that part of the file could not
/// become one. <see cref="Source"/> says where it was: a path in an archive, or a note's title.
/// </summary>
public sealed record ImportItem(string Source, ImportedNote? Note, string? Problem)
{
    public static ImportItem Refused(string source, string problem) => new(source, null, problem);
}

/// <summary>
/// A note as read from a file: an id that is the same on every import of that file, its text,
/// its times when the file had them, its tags, the path of names of its notebook from the top,
/// whether it was pinned, and the files it links to, already stored.
/// </summary>
public sealed record ImportedNote(
    Guid Id, string Title, string Body, DateTimeOffset? Created, DateTimeOffset? Updated,
    IReadOnlyList<string>? Tags = null, IReadOnlyList<string>? Notebook = null, bool Pinned = false, IReadOnlyList<Storage.Attachment>? Attachments = null)
{
    public bool Equals(ImportedNote? other) =>
        other is not null && (Id, Title, Body, Created, Updated, Pinned) == (other.Id, other.Title, other.Body, other.Created, other.Updated, other.Pinned)
        && (Tags ?? []).SequenceEqual(other.Tags ?? []) && (Notebook ?? []).SequenceEqual(other.Notebook ?? []);

    public override int GetHashCode() => HashCode.Combine(Id, Title, Body);
}

/// <summary>Tags and notebook names as other apps allow them, made into what Hermit Sync keeps.</summary>
public static class ImportedLabels
{
    /// <summary>Each tag with the characters a tag may not hold made spaces, cut to the length a tag may have; empty ones and repeats dropped.</summary>
    public static IReadOnlyList<string> Tags(IEnumerable<string> tags) =>
        tags.Select(t => Clean(t, Storage.Properties.MaxTagLength, Storage.Properties.RefusedInTag))
            .Where(t => t.Length > 0)
            .DistinctBy(Storage.Properties.TagKey)
            .Take(Storage.Properties.MaxTagsPerNote)
            .ToArray();

    /// <summary>A notebook path with each name made one a notebook may have; empty names dropped.</summary>
    public static IReadOnlyList<string> Notebook(IEnumerable<string> names) =>
        names.Select(n => Clean(n, Storage.Properties.MaxNotebookNameLength, Storage.Properties.RefusedInNotebookName)).Where(n => n.Length > 0).ToArray();

    private static string Clean(string text, int maxRunes, Func<char, bool> refused)
    {
        var cleaned = new string(text.Select(c => refused(c) ? ' ' : c).ToArray()).Trim();
        var runes = cleaned.EnumerateRunes().Take(maxRunes).ToArray();
        return string.Concat(runes.Select(r => r.ToString())).Trim();
    }
}
