using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// Reads one page of a keyset-paged query, which asks for one row more than a page: that row
/// only tells whether another page follows, so a list is never cut off without a cursor to go on.
/// </summary>
internal static class KeysetPage
{
    /// <summary>The <c>LIMIT</c> to ask for a page of <paramref name="limit"/> rows.</summary>
    public static int Probe(int limit) => limit + 1;

    /// <summary>The page's items and the cursor after its last one, or null when no row follows.</summary>
    public static (T[] Items, string? NextCursor) Read<T>(RqliteResult result, int limit, Func<RqliteRow, T> read, Func<T, string> cursorOf)
    {
        var items = result.Rows.Take(limit).Select(read).ToArray();
        return (items, result.Rows.Count > limit ? cursorOf(items[^1]) : null);
    }
}
