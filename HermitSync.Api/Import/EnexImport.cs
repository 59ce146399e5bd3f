using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace HermitSync.Api.Import;

/// <summary>
/// An Evernote export (<c>.enex</c>) as notes. The file is read as text, a note at a time: each
/// <c>&lt;note&gt;</c> is parsed on its own, so a broken one is reported and the notes after it
/// still come in. The DOCTYPE every real export carries is never read, so no entity it could
/// declare is fetched or expanded. Attachments are not held in memory: their base64 is decoded
/// as it streams past into the attachment store, and hashed with MD5, the name a note's
/// <c>en-media</c> gives them by.
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
    public static IEnumerable<ImportItem> Read(Stream file, string notebook, ImportOptions limits, ImportedAttachments files, Action<int> total)
    {
        var number = 0;
        foreach (var chunk in NoteChunks(new StreamReader(file, new UTF8Encoding(false, throwOnInvalidBytes: false)), files))
        {
            number++;
            if (number > limits.MaxItems)
            {
                throw new ImportFileException($"The export holds more than {limits.MaxItems:N0} notes; one import takes at most that many.");
            }
            yield return chunk.TooLarge
                ? ImportItem.Refused($"note {number}", $"Its text is larger than {MaxNoteChars:N0} characters; it was skipped.")
                : ReadNote(number, chunk.Xml, notebook, files);
        }
        if (number == 0)
        {
            throw new ImportFileException("The file holds no Evernote note (<note>): is it an .enex export?");
        }
        total(number);
    }

    private static ImportItem ReadNote(int number, string xml, string notebook, ImportedAttachments files)
    {
        string? title = null, created = null, updated = null, content = null;
        var tags = new List<string>();
        var attachments = new Dictionary<string, EnexResource>();
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
                        var (hash, name, sha256) = ReadResource(reader.ReadSubtree());
                        reader.Skip();
                        if (hash is not null)
                        {
                            name ??= $"attachment {++unnamed}";
                            attachments[hash] = new EnexResource(name, sha256 is not null && files.StoredHere(sha256) is { } stored ? files.Describe(stored, name) : null);
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
        // A resource no en-media shows is still the note's: listed at its end.
        var unshown = attachments.Values.Where(r => !body.Contains(r.Shown, StringComparison.Ordinal)).ToArray();
        if (unshown.Any(r => r.Attachment is not null))
        {
            body += $"{(body.Length > 0 ? "\n\n" : "")}Attachments:\n\n{string.Join("\n", unshown.Where(r => r.Attachment is not null).Select(r => r.Shown))}";
        }
        if (unshown.Any(r => r.Attachment is null))
        {
            body += $"{(body.Length > 0 ? "\n\n" : "")}Attachments not imported: {string.Join(", ", unshown.Where(r => r.Attachment is null).Select(r => r.Name))}";
        }
        if (Storage.NoteRules.CheckBody(body) is { } violation)
        {
            return ImportItem.Refused(source, violation.Message);
        }
        var id = ImportIds.From("enex", title ?? "", created ?? "", content ?? "");
        var kept = attachments.Values.Select(r => r.Attachment).OfType<Storage.Attachment>().DistinctBy(a => a.Hash).ToArray();
        return new ImportItem(source, new ImportedNote(id, ImportedTitle.From(title, "Untitled"), body, Time(created), Time(updated), tags, [notebook], Attachments: kept), null);
    }

    /// <summary>A resource's MD5, its file name, and the SHA-256 its bytes were stored under (null when they were too large).</summary>
    private static (string? Hash, string? Name, string? Sha256) ReadResource(XmlReader resource)
    {
        string? hash = null, name = null, sha256 = null;
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
                    sha256 = resource.GetAttribute("sha256");
                }
                else if (resource.LocalName == "file-name")
                {
                    name = resource.ReadElementContentAsString();
                }
            }
        }
        return (hash, name, sha256);
    }

    /// <summary>Evernote writes times as 20201224T101010Z; anything else is no time, and the note gets the import's.</summary>
    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParseExact(text?.Trim(), "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>One note's XML, or a note too large to hold.</summary>
    private readonly record struct NoteChunk(string Xml, bool TooLarge);

    /// <summary>
    /// Each <c>&lt;note&gt;…&lt;/note&gt;</c> of the file, with every attachment's base64 replaced by
    /// nothing, its bytes stored, and its MD5 (the hash <c>en-media</c> names it by) and where it
    /// was stored put on its <c>data</c> element.
    /// Inside CDATA nothing is taken for a tag. The text is searched a block at a time, not a
    /// character at a time: an export is mostly note text, and this is most of an import's work.
    /// </summary>
    private static IEnumerable<NoteChunk> NoteChunks(TextReader text, ImportedAttachments files)
    {
        var window = new TextWindow(text);
        while (window.SkipPast("<note>", null))
        {
            var note = new BoundedText(MaxNoteChars);
            note.Append("<note>");
            if (!ReadRestOfNote(window, note, files))
            {
                yield break;
            }
            yield return new NoteChunk(note.TooLarge ? "" : note.ToString(), note.TooLarge);
        }
    }

    /// <summary>Takes the note up to its <c>&lt;/note&gt;</c>; false if the file ends first.</summary>
    private static bool ReadRestOfNote(TextWindow window, BoundedText note, ImportedAttachments files)
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
                    note.Append($"{StoreData(window, files)}></data>");
                }
            }
        }
        return false;
    }

    private const string CData = "![CDATA[";

    /// <summary>
    /// Reads an attachment's base64 up to <c>&lt;/data&gt;</c>, decoding it into the attachment
    /// store as it goes, and returns the <c>data</c> element's attributes: its MD5 in hex, and
    /// the SHA-256 its bytes were stored under unless they were over the limit. A file that
    /// writes that attribute itself names nothing: only what this import stored is taken.
    /// </summary>
    private static string StoreData(TextWindow window, ImportedAttachments files)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        using var bytes = new Base64Text(window, md5);
        var stored = files.StoreBytes(bytes);
        // Too large to keep: the rest is still read, for its hash and to find the note's end.
        bytes.CopyTo(Stream.Null);
        window.SkipPast("</data>", null);
        var hash = $" hash=\"{Convert.ToHexStringLower(md5.GetHashAndReset())}\"";
        return stored is null ? hash : $"{hash} sha256=\"{stored.Hash}\"";
    }

    /// <summary>The bytes a <c>data</c> element's base64 holds, up to the next tag, each also given to <paramref name="md5"/>.</summary>
    private sealed class Base64Text(TextWindow window, IncrementalHash md5) : Stream
    {
        private readonly char[] _quads = new char[4096];
        private readonly byte[] _decoded = new byte[4096 / 4 * 3];
        private int _filled, _offset, _length;
        private bool _ended;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (_offset == _length)
            {
                if (_ended)
                {
                    return 0;
                }
                Fill();
            }
            var n = Math.Min(buffer.Length, _length - _offset);
            _decoded.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        /// <summary>Takes base64 up to the next tag, decoding whole groups of four; what is not valid base64 gives nothing.</summary>
        private void Fill()
        {
            var available = window.Ahead(1);
            if (available.IsEmpty)
            {
                _ended = true;
            }
            var end = available.IndexOf('<');
            var base64 = end >= 0 ? available[..end] : available;
            var taken = 0;
            while (taken < base64.Length && _filled < _quads.Length)
            {
                if (!char.IsWhiteSpace(base64[taken]))
                {
                    _quads[_filled++] = base64[taken];
                }
                taken++;
            }
            window.Take(taken, null);
            _ended |= end >= 0 && taken == base64.Length;
            var whole = _ended ? _filled - (_filled % 4) : _filled == _quads.Length ? _filled : 0;
            if (whole == 0)
            {
                return;
            }
            (_offset, _length) = (0, Convert.TryFromBase64Chars(_quads.AsSpan(0, whole), _decoded, out var written) ? written : 0);
            md5.AppendData(_decoded, 0, _length);
            _filled = 0;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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

/// <summary>An Evernote resource: its file name, and the attachment it became (null when it was too large to keep).</summary>
public sealed record EnexResource(string Name, Storage.Attachment? Attachment)
{
    /// <summary>How a note shows it: the attachment's Markdown, or a line naming what was not imported.</summary>
    public string Shown => Attachment?.Markdown ?? $"[attachment: {Name}]";
}
