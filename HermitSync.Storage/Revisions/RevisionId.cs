using System.Globalization;

namespace HermitSync.Storage;

/// <summary>
/// Names one revision of a note: its clock stamp and the site that made it. Ordering by
/// (HLC, site) is the same on every site, so every site picks the same winner.
/// </summary>
public readonly record struct RevisionId(long Hlc, string SiteId) : IComparable<RevisionId>
{
    public int CompareTo(RevisionId other)
    {
        var byClock = Hlc.CompareTo(other.Hlc);
        return byClock != 0 ? byClock : string.CompareOrdinal(SiteId, other.SiteId);
    }

    /// <summary>The form used in ETags and URLs: 16 hex digits, a dash, the site id.</summary>
    public override string ToString() => $"{Hlc:x16}-{SiteId}";

    /// <summary>Reads a revision id this site wrote itself, such as a stored conflict's.</summary>
    public static RevisionId Parse(string text) =>
        TryParse(text, out var id) ? id : throw new FormatException($"'{text}' is not a revision id.");

    public static bool TryParse(ReadOnlySpan<char> text, out RevisionId id)
    {
        id = default;
        if (text.Length < 18 || text[16] != '-'
            || !long.TryParse(text[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hlc)
            || !SiteIds.IsValid(text[17..]))
        {
            return false;
        }
        id = new RevisionId(hlc, text[17..].ToString());
        return true;
    }
}

public static class SiteIds
{
    /// <summary>The site id given to notes written before sync existed.</summary>
    public const string BeforeSync = "00000000000000000000000000000000";

    public static string New() => Guid.NewGuid().ToString("N");

    /// <summary>32 lower-case hex digits: safe in file names, SQL parameters and URLs alike.</summary>
    public static bool IsValid(ReadOnlySpan<char> siteId) =>
        siteId.Length == 32 && !siteId.ContainsAnyExcept("0123456789abcdef");
}
