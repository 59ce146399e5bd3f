namespace HermitSync.Storage;

/// <summary>
/// Where a page ended, as an opaque token: the last note's update time and id. Keyset paging
/// stays correct while notes are added, and costs the same on page 1 and page 1,000.
/// </summary>
public readonly record struct NoteCursor(long UpdatedAt, Guid Id)
{
    public string Encode() => CursorToken.Encode($"{UpdatedAt}:{Id:N}");

    public static bool TryDecode(string? token, out NoteCursor cursor)
    {
        cursor = default;
        if (CursorToken.TryDecode(token, out var text) && text.Split(':') is [var time, var id]
            && long.TryParse(time, out var updatedAt) && Guid.TryParseExact(id, "N", out var noteId))
        {
            cursor = new NoteCursor(updatedAt, noteId);
            return true;
        }
        return false;
    }
}
