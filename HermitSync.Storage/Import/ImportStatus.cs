namespace HermitSync.Storage;

/// <summary>A problem with one item of an import: where it was and why it is not a note here.</summary>
public sealed record ImportProblem(string Item, string Reason);

/// <summary>
/// An import as its page shows it: how far it got, what it added, what was there already, and
/// each item that did not become a note with its reason. <see cref="Total"/> is null until the
/// file says how many items it holds.
/// </summary>
public sealed record ImportStatus(
    Guid Id, string FileName, string State, int? Total, int Read, int Imported, int AlreadyHere,
    IReadOnlyList<ImportProblem> Problems, string? Error, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt)
{
    public const string Queued = "queued", Running = "running", Done = "done", Failed = "failed";
}
