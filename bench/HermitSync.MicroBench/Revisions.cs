using HermitSync.Storage;

namespace HermitSync.MicroBench;

/// <summary>Revisions shaped like real ones: new notes of about 1 KB, or edits that name their parent.</summary>
public static class Revisions
{
    public static readonly string SiteId = SiteIds.New();

    private static readonly string Body = string.Concat(Enumerable.Repeat("A typical paragraph of a note, some words long. ", 20));

    public static NoteRevision[] New(int count)
    {
        var clock = new HybridLogicalClock(TimeProvider.System);
        // A reader refuses revisions dated where no machine could have written them, such as 1970.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Enumerable.Range(0, count)
            .Select(i => new NoteRevision(Guid.CreateVersion7().ToString(), clock.Next(), SiteId, [], 1, $"Note {i}", Body, false, now, now))
            .ToArray();
    }

    public static NoteRevision[] EditsOf(NoteRevision[] originals) =>
        originals.Select(r => r with { Hlc = r.Hlc + 1, Parents = [ParentRef.Of(r.Id)], Version = 2, Body = r.Body + " Edited." }).ToArray();
}
