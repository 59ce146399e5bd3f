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

    /// <summary>
    /// Evernote exports one notebook to one file named after it, and the file does not name it,
    /// so its notes go into the notebook <paramref name="notebook"/> (the file's name).
    /// </summary>
    public static IEnumerable<ImportItem> Read(Stream file, string notebook, ImportOptions limits, Action<int> total)
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
                : ReadNote(number, chunk.Xml, notebook);
        }
        if (number == 0)
        {
            throw new ImportFileException("The file holds no Evernote note (<note>): is it an .enex export?");
        }
        total(number);
    }

    private static ImportItem ReadNote(int number, string xml, string notebook)
    {
        string? title = null, created = null, updated = null, content = null;
        var tags = new List<string>();
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
                    case "tag": tags.Add(reader.ReadElementContentAsString()); break;
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
        return new ImportItem(source, new ImportedNote(id, ImportedTitle.From(title, "Untitled"), body, Time(created), Time(updated), tags, [notebook]), null);
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
    /// Inside CDATA nothing is taken for a tag. The text is searched a block at a time, not a
    /// character at a time: an export is mostly note text, and this is most of an import's work.
    /// </summary>
    private static IEnumerable<NoteChunk> NoteChunks(TextReader text)
    {
        var window = new TextWindow(text);
        while (window.SkipPast("<note>", null))
        {
            var note = new BoundedText(MaxNoteChars);
            note.Append("<note>");
            if (!ReadRestOfNote(window, note))
            {
                yield break;
            }
            yield return new NoteChunk(note.TooLarge ? "" : note.ToString(), note.TooLarge);
        }
    }

    /// <summary>Takes the note up to its <c>&lt;/note&gt;</c>; false if the file ends first.</summary>
    private static bool ReadRestOfNote(TextWindow window, BoundedText note)
    {
        while (window.SkipPast("<", note))
        {
            var ahead = window.Ahead(CData.Length);
            if (ahead.StartsWith(CData))
            {
                window.Take(CData.Length, note);
                if (!window.SkipPast("]]>", note))
                {
                    return false;
                }
            }
            else if (ahead.StartsWith("/note>"))
            {
                window.Take("/note>".Length, note);
                return true;
            }
            else if (ahead.StartsWith("data") && ahead.Length > 4 && ahead[4] is '>' or ' ' or '\t' or '\r' or '\n')
            {
                if (!window.SkipPast(">", note))
                {
                    return false;
                }
                // <data/> holds nothing.
                if (window.BeforeLast != '/')
                {
                    note.RemoveLast(1);
                    note.Append($" hash=\"{HashData(window)}\"></data>");
                }
            }
        }
        return false;
    }

    private const string CData = "![CDATA[";

    /// <summary>Reads an attachment's base64 up to <c>&lt;/data&gt;</c>, decoding as it goes, and returns the MD5 of its bytes in hex.</summary>
    private static string HashData(TextWindow window)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var quads = new char[4096];
        var bytes = new byte[quads.Length / 4 * 3];
        var filled = 0;
        var ended = false;
        while (!ended)
        {
            var available = window.Ahead(1);
            if (available.IsEmpty)
            {
                break;
            }
            var end = available.IndexOf('<');
            ended = end >= 0;
            var base64 = ended ? available[..end] : available;
            foreach (var c in base64)
            {
                if (char.IsWhiteSpace(c))
                {
                    continue;
                }
                quads[filled++] = c;
                if (filled == quads.Length)
                {
                    Decode(quads, filled);
                    filled = 0;
                }
            }
            window.Take(base64.Length, null);
        }
        Decode(quads, filled - filled % 4);
        window.SkipPast("</data>", null);
        return Convert.ToHexStringLower(md5.GetHashAndReset());

        void Decode(char[] chars, int length)
        {
            if (Convert.TryFromBase64Chars(chars.AsSpan(0, length), bytes, out var written))
            {
                md5.AppendData(bytes, 0, written);
            }
        }
    }

    /// <summary>Text kept up to a limit; past it, only the fact that there was more.</summary>
    private sealed class BoundedText(int limit)
    {
        private readonly StringBuilder _text = new();

        public bool TooLarge { get; private set; }

        public void Append(ReadOnlySpan<char> text)
        {
            if (TooLarge)
            {
                return;
            }
            _text.Append(text);
            TooLarge = _text.Length > limit;
        }

        public void RemoveLast(int count)
        {
            if (!TooLarge)
            {
                _text.Length -= count;
            }
        }

        public override string ToString() => _text.ToString();
    }

    /// <summary>The part of the text read but not yet taken, refilled from the reader as a search needs more.</summary>
    private sealed class TextWindow(TextReader reader)
    {
        private char[] _buffer = new char[64 * 1024];
        private int _start, _end;

        private char _last;

        /// <summary>The character taken before the last one, or '\0'.</summary>
        public char BeforeLast { get; private set; }

        /// <summary>At least <paramref name="count"/> characters not yet taken, unless the text ends sooner.</summary>
        public ReadOnlySpan<char> Ahead(int count)
        {
            while (_end - _start < count && More())
            {
            }
            return _buffer.AsSpan(_start, _end - _start);
        }

        /// <summary>Takes <paramref name="count"/> characters, adding them to <paramref name="into"/>.</summary>
        public void Take(int count, BoundedText? into)
        {
            if (count == 0)
            {
                return;
            }
            into?.Append(_buffer.AsSpan(_start, count));
            _start += count;
            BeforeLast = count >= 2 ? _buffer[_start - 2] : _last;
            _last = _buffer[_start - 1];
        }

        /// <summary>Takes everything up to and including the next <paramref name="token"/>; false, having taken the rest, if there is none.</summary>
        public bool SkipPast(string token, BoundedText? into)
        {
            while (true)
            {
                var available = _buffer.AsSpan(_start, _end - _start);
                var at = available.IndexOf(token, StringComparison.Ordinal);
                if (at >= 0)
                {
                    Take(at + token.Length, into);
                    return true;
                }
                // The token may begin in the last few characters and end in the next read.
                Take(Math.Max(0, available.Length - (token.Length - 1)), into);
                if (!More())
                {
                    Take(_end - _start, into);
                    return false;
                }
            }
        }

        private bool More()
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var read = reader.Read(_buffer, _end, _buffer.Length - _end);
            _end += read;
            return read > 0;
        }
    }
}
