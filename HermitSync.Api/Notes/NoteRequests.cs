namespace HermitSync.Api.Notes;

/// <summary>A new note. A client may choose the id, which makes retrying the create safe.</summary>
public sealed record CreateNoteRequest(string? Title, string? Body, Guid? Id = null);

/// <summary>An edit. <see cref="Resolves"/> lists conflict revisions this edit settles.</summary>
public sealed record UpdateNoteRequest(string? Title, string? Body, IReadOnlyList<string>? Resolves = null);
