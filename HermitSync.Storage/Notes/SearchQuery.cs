using System.Globalization;
using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// What a person typed into the search box, read into words to look up and filters. The last
/// word is matched by its beginning, so results follow the typing; the others, and a quoted
/// phrase, are matched whole. The full-text expression is built here from quoted strings only, so nothing typed is
/// ever read as FTS5 syntax (no column filter, NEAR, or unbalanced quote can reach SQLite), and
/// its size is bounded, so no query costs more than a few of its words.
/// </summary>
public sealed record SearchQuery(
    IReadOnlyList<string> Words, IReadOnlyList<string> Phrases, DateTimeOffset? Before, DateTimeOffset? After, bool HasConflict,
    string? Tag = null, string? Notebook = null, PinFilter Pin = PinFilter.Any)
{
    public const int MaxLength = 256;
    public const int MaxTerms = 16;

    /// <summary>How many matching notes, the newest, are ranked; a page deeper than this is not offered.</summary>
    public const int MaxRanked = 1_000;

    /// <summary>
    /// The shortest beginning looked up as a prefix: the index keeps beginnings of two to four
    /// letters ready (<c>prefix = '2 3 4'</c>), and a single letter would stand for most words.
    /// </summary>
    private const int MinPrefix = 2;

    public static SearchQuery Empty { get; } = new([], [], null, null, false);

    /// <summary>Whether there is text to rank by; without it the notes come latest first.</summary>
    public bool Ranked => Words.Count + Phrases.Count > 0;

    /// <summary>The FTS5 expression: the last word as a prefix, every other word and phrase whole, all of them required.</summary>
    public string MatchExpression() =>
        string.Join(" AND ", Words.Select((w, i) => IsPrefix(i) ? $"{Quoted(w)}*" : Quoted(w)).Concat(Phrases.Select(Quoted)));

    /// <summary>Whether word <paramref name="index"/> is matched by its beginning: the one being typed.</summary>
    public bool IsPrefix(int index) => index == Words.Count - 1 && Words[index].Length >= MinPrefix;

    /// <summary>Reads <paramref name="text"/>, or says in <paramref name="problem"/> what is wrong with it.</summary>
    public static bool TryParse(string? text, out SearchQuery query, out string? problem)
    {
        query = Empty;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (text.Length > MaxLength)
        {
            problem = $"A search is at most {MaxLength} characters.";
            return false;
        }
        // A control character is no part of a word to the index, and a NUL would end FTS5's string early.
        text = string.Create(text.Length, text, (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
        var words = new List<string>();
        var phrases = new List<string>();
        DateTimeOffset? before = null, after = null;
        var hasConflict = false;
        var pin = PinFilter.Any;
        string? tag = null, notebook = null;
        foreach (var (token, quoted) in Tokens(text))
        {
            if (quoted)
            {
                AddIfSearchable(phrases, token);
                continue;
            }
            var colon = token.IndexOf(':');
            var (name, value) = colon > 0 ? (token[..colon].ToLowerInvariant(), token[(colon + 1)..]) : ("", token);
            switch (name)
            {
                case "before" or "after":
                    if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                    {
                        problem = $"“{token}”: write the date as {name}:2024-01-31.";
                        return false;
                    }
                    var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                    if (name == "before")
                    {
                        before = start;
                    }
                    else
                    {
                        after = start.AddDays(1);
                    }
                    break;
                case "has" when value.Equals("conflict", StringComparison.OrdinalIgnoreCase):
                    hasConflict = true;
                    break;
                case "has":
                    problem = $"“{token}”: the one has: filter is has:conflict.";
                    return false;
                case "is" when pin != PinFilter.Any:
                    problem = $"“{token}”: a search takes one is: filter.";
                    return false;
                case "is" when value.Equals("pinned", StringComparison.OrdinalIgnoreCase):
                    pin = PinFilter.Pinned;
                    break;
                case "is" when value.Equals("unpinned", StringComparison.OrdinalIgnoreCase):
                    pin = PinFilter.Unpinned;
                    break;
                case "is":
                    problem = $"“{token}”: the is: filters are is:pinned and is:unpinned.";
                    return false;
                case "tag" when Properties.CheckTag(value) is { } wrong:
                    problem = $"“{token}”: {wrong}";
                    return false;
                case "tag" when tag is not null:
                case "notebook" when notebook is not null:
                    problem = $"“{token}”: a search takes one {name}: filter.";
                    return false;
                case "tag":
                    tag = value.Trim();
                    break;
                case "notebook" when Properties.CheckNotebookName(value) is { } wrong:
                    problem = $"“{token}”: {wrong}";
                    return false;
                case "notebook":
                    notebook = value.Trim();
                    break;
                default:
                    AddIfSearchable(words, token);
                    break;
            }
        }
        if (words.Count + phrases.Count > MaxTerms)
        {
            problem = $"A search takes at most {MaxTerms} words and phrases.";
            return false;
        }
        query = new SearchQuery(words, phrases, before, after, hasConflict, tag, notebook, pin);
        return true;
    }

    /// <summary>
    /// Words split at white space, and "quoted phrases" kept whole; an unclosed quote runs to the
    /// end. A filter's value may be quoted too (<c>notebook:"Work notes"</c>), and is unquoted.
    /// </summary>
    private static IEnumerable<(string Token, bool Quoted)> Tokens(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }
            if (text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                var end = close < 0 ? text.Length : close;
                yield return (text[(i + 1)..end], true);
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"')
            {
                i++;
            }
            if (i < text.Length && text[i] == '"' && i > start && text[i - 1] == ':')
            {
                var close = text.IndexOf('"', i + 1);
                var end = close < 0 ? text.Length : close;
                yield return (text[start..i] + text[(i + 1)..end], false);
                i = end + 1;
                continue;
            }
            yield return (text[start..i], false);
        }
    }

    /// <summary>The index holds letters and digits only, so a term with neither would match nothing.</summary>
    private static void AddIfSearchable(List<string> terms, string term)
    {
        term = term.Trim();
        if (term.Any(char.IsLetterOrDigit))
        {
            terms.Add(term);
        }
    }

    /// <summary>An FTS5 string: double quotes inside are doubled, and nothing in it is syntax.</summary>
    internal static string Quoted(string term) => new StringBuilder(term.Length + 2).Append('"').Append(term.Replace("\"", "\"\"")).Append('"').ToString();
}

/// <summary>Which notes a search keeps by their pin.</summary>
public enum PinFilter { Any, Pinned, Unpinned }
