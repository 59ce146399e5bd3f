namespace HermitSync.Storage;

/// <summary>
/// Where a page of ranked search results ended: how many came before. Ranking scores every ranked match
/// whatever the page, so counting on from an offset costs no more than a keyset would.
/// </summary>
public readonly record struct RankCursor(int Offset)
{
    private const string Prefix = "rank:";

    public string Encode() => CursorToken.Encode($"{Prefix}{Offset}");

    public static bool TryDecode(string? token, out RankCursor cursor)
    {
        cursor = default;
        if (CursorToken.TryDecode(token, out var text) && text.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(Prefix.Length), out var offset) && offset is > 0 and < SearchQuery.MaxRanked)
        {
            cursor = new RankCursor(offset);
            return true;
        }
        return false;
    }
}
