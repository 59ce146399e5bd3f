using System.Globalization;
using System.Text;
using HermitSync.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace HermitSync.Api.Export;

/// <summary>
/// A note as a Markdown file: YAML front matter with its id, title, times, tags and notebook,
/// then the body as it is. The id lets an import recognise the note again; the times are UTC, to
/// the millisecond; the notebook is the path of names from the top.
/// </summary>
public static class NoteMarkdown
{
    public static string Write(Note note, IReadOnlyList<string> notebook)
    {
        var markdown = new StringBuilder(note.Body.Length + note.Title.Length + 160);
        markdown.Append("---\n");
        markdown.Append("id: ").Append(note.Id.ToString("D")).Append('\n');
        markdown.Append("title: ").Append(Quote(note.Title)).Append('\n');
        markdown.Append("created: ").Append(Time(note.CreatedAt)).Append('\n');
        markdown.Append("updated: ").Append(Time(note.UpdatedAt)).Append('\n');
        if (note.Labels.Tags.Count > 0)
        {
            markdown.Append("tags: ").Append(Sequence(note.Labels.Tags)).Append('\n');
        }
        if (notebook.Count > 0)
        {
            markdown.Append("notebook: ").Append(Sequence(notebook)).Append('\n');
        }
        if (note.Labels.Pinned)
        {
            markdown.Append("pinned: true\n");
        }
        markdown.Append("---\n\n");
        // The body exactly as stored, so an import gives back the same note.
        return markdown.Append(note.Body).ToString();
    }

    /// <summary>
    /// A Markdown file as an import reads it: the front matter's scalar fields (<c>id</c>,
    /// <c>title</c>, <c>created</c>, <c>updated</c>…) and lists (<c>tags</c>, <c>notebook</c>),
    /// and the body after it. A file without front matter is all body. Other keys are left alone.
    /// </summary>
    public static MarkdownFile Read(string text)
    {
        if (text.StartsWith('\ufeff'))
        {
            text = text[1..];
        }
        if (!text.StartsWith("---\n", StringComparison.Ordinal) && !text.StartsWith("---\r\n", StringComparison.Ordinal))
        {
            return new MarkdownFile(NoFields, text);
        }
        var start = text.IndexOf('\n') + 1;
        var end = FrontMatterEnd(text, start);
        if (end < 0)
        {
            return new MarkdownFile(NoFields, text);
        }
        if (end - start > MaxFrontMatterChars)
        {
            throw new FormatException($"The front matter is longer than {MaxFrontMatterChars:N0} characters.");
        }
        var (fields, lists) = ReadFields(text[start..end]);
        var bodyStart = text.IndexOf('\n', end + 1) is var lineEnd and >= 0 ? lineEnd + 1 : text.Length;
        // The blank line an export puts after the front matter is not part of the body.
        if (text.AsSpan(bodyStart).StartsWith("\r\n"))
        {
            bodyStart += 2;
        }
        else if (text.AsSpan(bodyStart).StartsWith("\n"))
        {
            bodyStart += 1;
        }
        return new MarkdownFile(fields, text[bodyStart..], lists);
    }

    private static readonly Dictionary<string, string> NoFields = new();

    /// <summary>Front matter is a few fields; more than this is no note's.</summary>
    private const int MaxFrontMatterChars = 64 * 1024;

    /// <summary>Where the line <c>---</c> (or <c>...</c>) that closes the front matter starts, or -1.</summary>
    private static int FrontMatterEnd(string text, int from)
    {
        for (var line = from; line < text.Length;)
        {
            var next = text.IndexOf('\n', line);
            var content = text.AsSpan(line, (next < 0 ? text.Length : next) - line).TrimEnd('\r');
            if (content is "---" or "...")
            {
                return line;
            }
            if (next < 0)
            {
                return -1;
            }
            line = next + 1;
        }
        return -1;
    }

    /// <summary>
    /// The top level's scalar fields, and its lists of scalars. YAML's aliases are references,
    /// not copies, so a billion laughs costs nothing here; a field of another shape is left out.
    /// </summary>
    private static (Dictionary<string, string> Fields, Dictionary<string, IReadOnlyList<string>> Lists) ReadFields(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new FormatException($"The front matter is not valid YAML: {e.Message}", e);
        }
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode mapping)
        {
            foreach (var (key, value) in mapping.Children)
            {
                if (key is not YamlScalarNode { Value: { } name })
                {
                    continue;
                }
                if (value is YamlScalarNode { Value: { } scalar })
                {
                    fields.TryAdd(name, scalar);
                }
                else if (value is YamlSequenceNode sequence)
                {
                    lists.TryAdd(name, sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Take(MaxListItems).ToArray());
                }
            }
        }
        return (fields, lists);
    }

    /// <summary>More tags or notebook levels than this are no note's.</summary>
    private const int MaxListItems = 256;

    /// <summary>A YAML flow sequence of double-quoted scalars.</summary>
    private static string Sequence(IEnumerable<string> items) => $"[{string.Join(", ", items.Select(Quote))}]";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// A YAML double-quoted scalar: the one YAML string form that can hold any text, since
    /// every character that could end it or that YAML reads specially is written as an escape.
    /// </summary>
    public static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                quoted.Append(c).Append(text[++i]);
                continue;
            }
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                // Controls, YAML's own line breaks, the byte-order mark, and surrogates without their pair.
                case < ' ' or '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff' or (>= '\ud800' and <= '\udfff'):
                    quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }
}

/// <summary>A Markdown file's front matter fields and lists (by name, any case) and its body.</summary>
public sealed record MarkdownFile(IReadOnlyDictionary<string, string> Fields, string Body, IReadOnlyDictionary<string, IReadOnlyList<string>>? Lists = null)
{
    /// <summary>A list field, or a scalar one read as a list of <paramref name="separator"/>-separated items (<c>tags: a, b</c>); empty when absent.</summary>
    public IReadOnlyList<string> List(string name, char separator) =>
        Lists?.GetValueOrDefault(name)
        ?? (Fields.TryGetValue(name, out var scalar) ? scalar.Split(separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : []);
}
