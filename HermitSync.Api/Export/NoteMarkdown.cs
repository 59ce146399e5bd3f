using System.Globalization;
using System.Text;
using HermitSync.Storage;

namespace HermitSync.Api.Export;

/// <summary>
/// A note as a Markdown file: YAML front matter with its id, title and times, then the body as
/// it is. The id lets an import recognise the note again; the times are UTC, to the millisecond.
/// </summary>
public static class NoteMarkdown
{
    public static string Write(Note note)
    {
        var markdown = new StringBuilder(note.Body.Length + note.Title.Length + 160);
        markdown.Append("---\n");
        markdown.Append("id: ").Append(note.Id.ToString("D")).Append('\n');
        markdown.Append("title: ").Append(Quote(note.Title)).Append('\n');
        markdown.Append("created: ").Append(Time(note.CreatedAt)).Append('\n');
        markdown.Append("updated: ").Append(Time(note.UpdatedAt)).Append('\n');
        markdown.Append("---\n\n");
        markdown.Append(note.Body);
        if (note.Body.Length > 0 && note.Body[^1] != '\n')
        {
            markdown.Append('\n');
        }
        return markdown.ToString();
    }

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
