using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace HermitSync.Api.Import;

/// <summary>
/// An Evernote export (<c>.enex</c>) as notes. The file is read as text, a note at a time: each
/// <c>&lt;note&gt;</c> is parsed on its own, so a broken one is reported and the notes after it
/// still come in. The DOCTYPE every real export carries is never read, so no entity it could
/// declare is fetched or expanded. Attachments are not held in memory: their base64 is hashed
/// as it streams past, which is all a note's <c>en-media</c> needs to name them.
/// </summary>
public static class EnexImport
{
    /// <summary>A note's XML without its attachments' data: more than this is no note of ours.</summary>
    private const int MaxNoteChars = 32 * 1024 * 1024;

    private static readonly XmlReaderSettings NoteXml = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        ConformanceLevel = ConformanceLevel.Fragment,
        MaxCharactersFromEntities = 0,
    };

    public static IEnumerable<ImportItem> Read(Stream file, ImportOptions limits, Action<int> total)
    {
        var number = 0;
        foreach (var chunk in NoteChunks(new StreamReader(file, new UTF8Encoding(false, throwOnInvalidBytes: false))))
        {
            number++;
            if (number > limits.MaxItems)
            {
                throw new ImportFileException($"The export holds more than {limits.MaxItems:N0} notes; one import takes at most that many.");
            }
            yield return chunk.TooLarge
                ? ImportItem.Refused($"note {number}", $"Its text is larger than {MaxNoteChars:N0} characters; it was skipped.")
                : ReadNote(number, chunk.Xml);
        }
        if (number == 0)
        {
            throw new ImportFileException("The file holds no Evernote note (<note>): is it an .enex export?");
        }
        total(number);
    }

    private static ImportItem ReadNote(int number, string xml)
    {
        string? title = null, created = null, updated = null, content = null;
        var attachments = new Dictionary<string, string>();
        var unnamed = 0;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), NoteXml);
            reader.MoveToContent();
            reader.ReadStartElement("note");
            while (reader.MoveToContent() == XmlNodeType.Element)
            {
                switch (reader.LocalName)
                {
                    case "title": title = reader.ReadElementContentAsString(); break;
                    case "created": created = reader.ReadElementContentAsString(); break;
                    case "updated": updated = reader.ReadElementContentAsString(); break;
                    case "content": content = reader.ReadElementContentAsString(); break;
                    case "resource":
                        var (hash, name) = ReadResource(reader.ReadSubtree());
                        reader.Skip();
                        if (hash is not null)
                        {
                            attachments[hash] = name ?? $"attachment {++unnamed}";
                        }
                        break;
                    default: reader.Skip(); break;
                }
            }
        }
        catch (XmlException e)
        {
            return ImportItem.Refused(title is null ? $"note {number}" : $"note {number} ({title})", $"It is not well-formed XML: {e.Message}");
        }
        var source = $"note {number} ({title ?? "untitled"})";
        string body;
        try
        {
            body = EnmlToMarkdown.Convert(content ?? "", attachments);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return ImportItem.Refused(source, $"Its content could not be read: {e.Message}");
        }
        var referenced = attachments.Values.Where(name => body.Contains($"[attachment: {name}]", StringComparison.Ordinal)).ToHashSet();
        var unreferenced = attachments.Values.Where(name => !referenced.Contains(name)).ToArray();
        if (unreferenced.Length > 0)
        {
            body += $"{(body.Length > 0 ? "\n\n" : "")}Attachments not imported: {string.Join(", ", unreferenced)}";
        }
        if (Storage.NoteRules.CheckBody(body) is { } violation)
        {
            return ImportItem.Refused(source, violation.Message);
        }
        var id = ImportIds.From("enex", title ?? "", created ?? "", content ?? "");
        return new ImportItem(source, new ImportedNote(id, ImportedTitle.From(title, "Untitled"), body, Time(created), Time(updated)), null);
    }

    private static (string? Hash, string? Name) ReadResource(XmlReader resource)
    {
        string? hash = null, name = null;
        using (resource)
        {
            while (resource.Read())
            {
                if (resource.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                if (resource.LocalName == "data")
                {
                    hash = resource.GetAttribute("hash");
                }
                else if (resource.LocalName == "file-name")
                {
                    name = resource.ReadElementContentAsString();
                }
            }
        }
        return (hash, name);
    }

    /// <summary>Evernote writes times as 20201224T101010Z; anything else is no time, and the note gets the import's.</summary>
    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParseExact(text?.Trim(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>One note's XML, or a note too large to hold.</summary>
    private readonly record struct NoteChunk(string Xml, bool TooLarge);

    /// <summary>
    /// Each <c>&lt;note&gt;…&lt;/note&gt;</c> of the file, with every attachment's base64 replaced by
    /// nothing and its MD5 (the hash <c>en-media</c> names it by) put on its <c>data</c> element.
    /// Inside CDATA nothing is taken for a tag.
    /// </summary>
    private static IEnumerable<NoteChunk> NoteChunks(TextReader text)
    {
        var note = new StringBuilder();
        var inNote = false;
        var inCData = false;
        var tooLarge = false;
        var tail = new Tail();
        int next;
        while ((next = text.Read()) >= 0)
        {
            var c = (char)next;
            tail.Push(c);
            if (!inNote)
            {
                if (tail.EndsWith("<note>"))
                {
                    inNote = true;
                    tooLarge = false;
                    note.Clear().Append("<note>");
                }
                continue;
            }
            if (!tooLarge)
            {
                note.Append(c);
                tooLarge = note.Length > MaxNoteChars;
            }
            if (inCData)
            {
                inCData = !tail.EndsWith("]]>");
                continue;
            }
            if (tail.EndsWith("<![CDATA["))
            {
                inCData = true;
            }
            else if (tail.EndsWith("</note>"))
            {
                inNote = false;
                yield return new NoteChunk(tooLarge ? "" : note.ToString(), tooLarge);
            }
            else if (c == '>' && LastOpenTag(note) is "data")
            {
                var hash = HashData(text, tail);
                if (!tooLarge)
                {
                    note.Length -= 1;
                    note.Append($" hash=\"{hash}\"></data>");
                }
            }
        }
    }

    /// <summary>The name of the tag a '&gt;' just closed, if it opened an element.</summary>
    private static string? LastOpenTag(StringBuilder note)
    {
        for (var i = note.Length - 2; i >= 0 && note.Length - i < 256; i--)
        {
            if (note[i] == '<')
            {
                var tag = note.ToString(i + 1, note.Length - i - 2);
                if (tag.StartsWith('/') || tag.EndsWith('/'))
                {
                    return null;
                }
                return tag.Split(' ', '\t', '\r', '\n')[0];
            }
        }
        return null;
    }

    /// <summary>Reads an attachment's base64 up to <c>&lt;/data&gt;</c>, decoding as it goes, and returns the MD5 of its bytes in hex.</summary>
    private static string HashData(TextReader text, Tail tail)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var quad = new char[4];
        var filled = 0;
        var bytes = new byte[3];
        int next;
        while ((next = text.Read()) >= 0)
        {
            var c = (char)next;
            tail.Push(c);
            if (c == '<')
            {
                break;
            }
            if (char.IsWhiteSpace(c))
            {
                continue;
            }
            quad[filled++] = c;
            if (filled == 4)
            {
                if (Convert.TryFromBase64Chars(quad, bytes, out var written))
                {
                    md5.AppendData(bytes, 0, written);
                }
                filled = 0;
            }
        }
        // The rest of </data>.
        while (!tail.EndsWith("</data>") && (next = text.Read()) >= 0)
        {
            tail.Push((char)next);
        }
        return Convert.ToHexStringLower(md5.GetHashAndReset());
    }

    /// <summary>The last few characters read, to spot a tag without keeping the text.</summary>
    private sealed class Tail
    {
        private readonly char[] _chars = new char[16];
        private int _count;

        public void Push(char c)
        {
            Array.Copy(_chars, 1, _chars, 0, _chars.Length - 1);
            _chars[^1] = c;
            _count = Math.Min(_count + 1, _chars.Length);
        }

        public bool EndsWith(string token) =>
            token.Length <= _count && _chars.AsSpan(_chars.Length - token.Length).SequenceEqual(token);
    }
}
