namespace HermitSync.Web.Pages.Notes;

/// <summary>What the <c>_HistoryEntries</c> list shows: a note's versions, each linked to its page, the current one marked.</summary>
public sealed record HistoryEntries(Guid NoteId, IReadOnlyList<NoteHistoryEntry> Entries, string? CurrentRevision);
