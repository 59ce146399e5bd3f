using System.Buffers.Text;
using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// Where a page of ranked search results ended: how many came before. Ranking scores every match
/// whatever the page, so counting on from an offset costs no more than a keyset would.
/// </summary>
public readonly record struct RankCursor(int Offset)
{
    private const string Prefix = "rank:";

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Prefix}{Offset}"));

    public static bool TryDecode(string? token, out RankCursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return false;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && int.TryParse(text.AsSpan(Prefix.Length), out var offset) && offset is > 0 and < SearchQuery.MaxRanked)
            {
                cursor = new RankCursor(offset);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}
