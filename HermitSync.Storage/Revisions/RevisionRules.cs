namespace HermitSync.Storage;

/// <summary>
/// What a revision from another site must be before it is merged: the same rules a note made
/// here respects, a canonical id, clock stamps and times a real machine could have made, and a
/// bounded number of parents. A peer's file is input like any other.
/// </summary>
public static class RevisionRules
{
    /// <summary>Nothing was written before Hermit Sync existed; an older time is a broken or hostile clock.</summary>
    public static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// How far ahead of this machine's clock another machine's may be, by default: a day covers
    /// clocks set in the wrong time zone, and anything further would drag every site's clock along.
    /// </summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromDays(1);

    /// <summary>A delete names every version the user could see; more than this many is not a person's doing.</summary>
    public const int MaxParents = 256;

    /// <summary>What is wrong with <paramref name="revision"/>, or null when it may be merged.</summary>
    public static string? Check(NoteRevision revision, DateTimeOffset now, TimeSpan maxClockAhead)
    {
        bool InRange(long unixMilliseconds) => RevisionRules.InRange(unixMilliseconds, now, maxClockAhead);
        bool StampInRange(long hlc) => hlc >= 0 && InRange(HybridLogicalClock.Physical(hlc));

        if (revision.NoteId is null || revision.Title is null || revision.Body is null || revision.Parents is null || revision.SiteId is null)
        {
            return "a missing field";
        }
        if (!Guid.TryParseExact(revision.NoteId, "D", out var id) || revision.NoteId != id.ToString("D"))
        {
            return $"a note id that is not a lower-case UUID ({Shorten(revision.NoteId)})";
        }
        if (!SiteIds.IsValid(revision.SiteId))
        {
            return "a malformed site id";
        }
        if (!StampInRange(revision.Hlc))
        {
            return $"a clock stamp outside {Earliest:yyyy-MM-dd} to {maxClockAhead.TotalHours:0} hours from now ({revision.Hlc})";
        }
        if (!InRange(revision.CreatedAt) || !InRange(revision.UpdatedAt))
        {
            return "a created or updated time outside the years a machine could have written it";
        }
        if (revision.Version < 1)
        {
            return $"version {revision.Version}";
        }
        if (revision.Parents.Count > MaxParents)
        {
            return $"{revision.Parents.Count} parents, over the limit of {MaxParents}";
        }
        if (revision.Parents.Any(p => p is null || !SiteIds.IsValid(p.SiteId) || !StampInRange(p.Hlc)))
        {
            return "a malformed parent";
        }
        if (revision.Pruned && revision.Body.Length > 0)
        {
            return "a pruned revision that carries a body";
        }
        return NoteRules.Check(revision.Title, revision.Body) is { } violation ? violation.Message : null;
    }

    /// <summary>Whether a time (Unix milliseconds) lies between <see cref="Earliest"/> and <paramref name="maxClockAhead"/> past <paramref name="now"/>.</summary>
    public static bool InRange(long unixMilliseconds, DateTimeOffset now, TimeSpan maxClockAhead) =>
        unixMilliseconds >= Earliest.ToUnixTimeMilliseconds() && unixMilliseconds <= (now + maxClockAhead).ToUnixTimeMilliseconds();

    private static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..40]}…";
}
