namespace HermitSync.Api.Notes;

/// <summary>A new note. A client may choose the id, which makes retrying the create safe.</summary>
public sealed record CreateNoteRequest(string? Title, string? Body, Guid? Id = null);

/// <summary>An edit. <see cref="Resolves"/> lists conflict revisions this edit settles.</summary>
public sealed record UpdateNoteRequest(string? Title, string? Body, IReadOnlyList<string>? Resolves = null);

/// <summary>
/// A restore: a new revision with the title and body of <see cref="Revision"/>, or without one
/// those the note has now, which brings a note back from the Trash as it was deleted.
/// </summary>
public sealed record RestoreNoteRequest(string? Revision = null);
