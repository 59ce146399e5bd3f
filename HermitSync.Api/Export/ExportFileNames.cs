using System.Globalization;
using System.Text;

namespace HermitSync.Api.Export;

/// <summary>
/// Names for the notes' files in one export, made from their titles: safe to unpack on Windows,
/// macOS and Linux, and unique in the archive even where the file system ignores case.
/// </summary>
public sealed class ExportFileNames
{
    /// <summary>Room under the common 255-byte limit for the extension and a " (n)" suffix.</summary>
    private const int MaxStemBytes = 200;

    private static readonly HashSet<string> ReservedOnWindows = new(
        ["CON", "PRN", "AUX", "NUL", .. Enumerable.Range(0, 10).SelectMany(n => new[] { $"COM{n}", $"LPT{n}" })],
        StringComparer.OrdinalIgnoreCase);

    private readonly HashSet<string> _taken = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A name no earlier note of this export has, such as <c>Groceries.md</c> or <c>Groceries (2).md</c>.</summary>
    public string Next(string title)
    {
        var stem = Stem(title);
        var name = $"{stem}.md";
        for (var n = 2; !_taken.Add(name); n++)
        {
            name = $"{stem} ({n}).md";
        }
        return name;
    }

    /// <summary>A name for an attached file, its extension kept when it is plain letters and digits: <c>photo.png</c>, <c>photo (2).png</c>.</summary>
    public string NextFile(string fileName)
    {
        var extension = Path.GetExtension(fileName);
        extension = extension.Length is > 1 and <= 16 && extension[1..].All(char.IsAsciiLetterOrDigit) ? extension : "";
        var stem = Stem(fileName[..^extension.Length]);
        var name = stem + extension;
        for (var n = 2; !_taken.Add(name); n++)
        {
            name = $"{stem} ({n}){extension}";
        }
        return name;
    }

    /// <summary>
    /// The title as a file name without extension: no path separators, no characters any of
    /// the three systems refuse, no leading dot (a hidden file) or trailing dot or space, no
    /// name Windows reserves, and cut to whole characters under <see cref="MaxStemBytes"/>.
    /// </summary>
    public static string Stem(string title)
    {
        var safe = new StringBuilder(title.Length);
        for (var i = 0; i < title.Length; i++)
        {
            if (char.IsSurrogatePair(title, i))
            {
                safe.Append(title, i++, 2);
                continue;
            }
            safe.Append(IsUnsafe(title[i]) ? ' ' : title[i]);
        }
        // Composed, as macOS would otherwise store "é" one way and another system the other.
        var composed = safe.ToString().Normalize(NormalizationForm.FormC);
        var stem = string.Join(' ', composed.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Trim('.', ' ');
        stem = Cut(stem).TrimEnd('.', ' ');
        if (stem.Length == 0)
        {
            return "Untitled";
        }
        return ReservedOnWindows.Contains(stem.Split('.')[0].TrimEnd()) ? $"_{stem}" : stem;
    }

    /// <summary>
    /// Separators, what Windows refuses, controls, line separators, a lone half of a surrogate
    /// pair, and the direction marks that make "exe.md" read as "dm.exe".
    /// </summary>
    private static bool IsUnsafe(char c) =>
        c is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' or '\u2028' or '\u2029' or '\u200e' or '\u200f'
            or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069')
        || char.IsControl(c) || char.IsSurrogate(c);

    private static string Cut(string stem)
    {
        if (Encoding.UTF8.GetByteCount(stem) <= MaxStemBytes)
        {
            return stem;
        }
        var cut = new StringBuilder();
        var bytes = 0;
        var elements = StringInfo.GetTextElementEnumerator(stem);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            bytes += Encoding.UTF8.GetByteCount(element);
            if (bytes > MaxStemBytes)
            {
                break;
            }
            cut.Append(element);
        }
        return cut.ToString();
    }
}
