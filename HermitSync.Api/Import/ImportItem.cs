namespace HermitSync.Api.Import;

/// <summary>
/// One item an import file held: a note read whole, or why that part of the file could not
/// become one. <see cref="Source"/> says where it was: a path in an archive, or a note's title.
/// </summary>
public sealed record ImportItem(string Source, ImportedNote? Note, string? Problem)
{
    public static ImportItem Refused(string source, string problem) => new(source, null, problem);
}

/// <summary>A note as read from a file: an id that is the same on every import of that file, its text, and its times when the file had them.</summary>
public sealed record ImportedNote(Guid Id, string Title, string Body, DateTimeOffset? Created, DateTimeOffset? Updated);
