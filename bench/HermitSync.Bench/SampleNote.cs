using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>What every measurement writes: a short title and a body of about 1 KB, a paragraph of a real note.</summary>
public static class SampleNote
{
    public static readonly string Body = string.Concat(Enumerable.Repeat("A typical paragraph of a note, some words long. ", 20));

    public static string Title(int number) => $"Bench note {number}";

    /// <summary>New notes as first revisions of <paramref name="siteId"/>, numbered from <paramref name="first"/>.</summary>
    public static NoteRevision[] Revisions(string siteId, int first, int count, string body)
    {
        var clock = new HybridLogicalClock(TimeProvider.System);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Enumerable.Range(first, count)
            .Select(i => new NoteRevision(Guid.CreateVersion7().ToString(), clock.Next(), siteId, [], 1, Title(i), body, false, now, now))
            .ToArray();
    }
}
