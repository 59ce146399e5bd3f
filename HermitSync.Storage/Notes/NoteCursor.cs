using System.Buffers.Text;
using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// Where a page ended, as an opaque token: the last note's update time and id. Keyset paging
/// stays correct while notes are added, and costs the same on page 1 and page 1,000.
/// </summary>
public readonly record struct NoteCursor(long UpdatedAt, Guid Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{UpdatedAt}:{Id:N}"));

    public static bool TryDecode(string? token, out NoteCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return false;
        }
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var updatedAt) && Guid.TryParseExact(parts[1], "N", out var id))
            {
                cursor = new NoteCursor(updatedAt, id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}
