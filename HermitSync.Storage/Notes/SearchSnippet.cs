using System.Globalization;
using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// The stretch of a found note's body around the first place the search matched, with every
/// matched word marked. Words are read as the index reads them (runs of letters and digits,
/// case and accents ignored), so what is marked is what was found. Built here rather than by
/// FTS5's <c>snippet()</c>, which would run the search again for every note on the page.
/// </summary>
public static class SearchSnippet
{
    /// <summary>Words shown around the first match.</summary>
    private const int Words = 16;

    /// <summary>Words shown before the first match, so it is read in context.</summary>
    private const int Before = 4;

    public static IReadOnlyList<SnippetPart> Of(SearchQuery query, string body)
    {
        var words = Tokens(body);
        var matched = Matches(query, words);
        if (words.Count == 0)
        {
            return [];
        }
        var first = matched.Count == 0 ? 0 : Math.Max(0, matched.Min() - Before);
        var last = Math.Min(words.Count, first + Words) - 1;
        var parts = new List<SnippetPart>();
        var start = first == 0 ? 0 : words[first].Start;
        if (first > 0)
        {
            parts.Add(new SnippetPart("…", false));
        }
        for (var i = first; i <= last; i++)
        {
            if (matched.Contains(i))
            {
                Add(parts, body[start..words[i].Start], false);
                Add(parts, body.Substring(words[i].Start, words[i].Length), true);
                start = words[i].Start + words[i].Length;
            }
        }
        var end = last == words.Count - 1 ? body.Length : words[last].Start + words[last].Length;
        Add(parts, body[start..end], false);
        if (end < body.Length)
        {
            parts.Add(new SnippetPart("…", false));
        }
        return parts;
    }

    private static void Add(List<SnippetPart> parts, string text, bool match)
    {
        if (text.Length > 0)
        {
            parts.Add(new SnippetPart(text, match));
        }
    }

    /// <summary>
    /// The positions of the words that match. A query word with punctuation inside is several
    /// words in a row to the index, as a phrase is; the last word typed matches by its beginning.
    /// </summary>
    private static HashSet<int> Matches(SearchQuery query, List<Token> words)
    {
        var sequences = query.Words.Select((w, i) => (Keys: Keys(w), Prefix: query.IsPrefix(i)))
            .Concat(query.Phrases.Select(p => (Keys: Keys(p), Prefix: false)))
            .Where(s => s.Keys.Length > 0)
            .ToArray();
        var matched = new HashSet<int>();
        for (var i = 0; i < words.Count; i++)
        {
            foreach (var (keys, prefix) in sequences)
            {
                if (i + keys.Length <= words.Count && keys.Select((key, j) => Same(words[i + j].Key, key, prefix && j == keys.Length - 1)).All(same => same))
                {
                    matched.UnionWith(Enumerable.Range(i, keys.Length));
                }
            }
        }
        return matched;
    }

    private static bool Same(string word, string key, bool prefix) =>
        prefix ? word.StartsWith(key, StringComparison.Ordinal) : word == key;

    private static string[] Keys(string text) => [.. Tokens(text).Select(t => t.Key)];

    private readonly record struct Token(int Start, int Length, string Key);

    private static List<Token> Tokens(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            if (!IsWordChar(text, i))
            {
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && IsWordChar(text, i))
            {
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
            }
            tokens.Add(new Token(start, i - start, Folded(text[start..i])));
        }
        return tokens;
    }

    private static bool IsWordChar(string text, int index) =>
        char.IsLetterOrDigit(text, index) || CharUnicodeInfo.GetUnicodeCategory(text, index) is UnicodeCategory.NonSpacingMark;

    /// <summary>A word as the index compares it: lower case, accents removed.</summary>
    private static string Folded(string word)
    {
        var decomposed = word.ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(c);
            }
        }
        return folded.ToString();
    }
}
