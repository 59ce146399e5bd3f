using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// The stretch of a found note's body that FTS5's <c>snippet()</c> picks (the one holding the most
/// of what matched, up to <see cref="Tokens"/> words), with every matched word marked. FTS5 reads
/// the words as it indexed them, so what is marked is what was found.
/// </summary>
public static class SearchSnippet
{
    /// <summary>Words in a snippet.</summary>
    private const int Tokens = 16;

    /// <summary>
    /// The marks around a match: private-use characters, which no keyboard types. A body that
    /// holds them anyway can only mismark its own snippet.
    /// </summary>
    private const char Open = '\uE000', Close = '\uE001';

    private const string Ellipsis = "…";

    /// <summary>The snippet of the body as a column of a query that matches <c>notes_search</c>; read by <see cref="Read"/>.</summary>
    internal static readonly string Column = $"snippet(notes_search, 1, char({(int)Open}), char({(int)Close}), '{Ellipsis}', {Tokens})";

    public static IReadOnlyList<SnippetPart> Read(string marked)
    {
        var parts = new List<SnippetPart>();
        var text = new StringBuilder();
        var match = false;
        foreach (var c in marked)
        {
            if (c is Open or Close)
            {
                Add(parts, text, match);
                match = c == Open;
            }
            else
            {
                text.Append(c);
            }
        }
        Add(parts, text, match);
        return parts;
    }

    private static void Add(List<SnippetPart> parts, StringBuilder text, bool match)
    {
        if (text.Length > 0)
        {
            parts.Add(new SnippetPart(text.ToString(), match));
            text.Clear();
        }
    }
}
