using System.IO.Compression;
using System.Text;
using HermitSync.Api.Export;
using HermitSync.Storage;

namespace HermitSync.Api.Import;

/// <summary>
/// Markdown files as notes: one <c>.md</c> file, or every <c>.md</c> in a zip (an export of
/// this app, or a folder zipped by hand). Front matter gives the id, title and times; without
/// it the file name is the title. Nothing in an archive is written to disk, and each entry is
/// read only up to what a note may hold, whatever size it declares.
/// </summary>
public static class MarkdownImport
{
    public static IEnumerable<ImportItem> ReadArchive(Stream file, ImportOptions limits, ImportedAttachments attachments, Action<int> total)
    {
        using var zip = OpenZip(file);
        var stored = new Dictionary<string, Attachment?>(StringComparer.Ordinal);
        var entries = zip.Entries.Where(e => IsMarkdown(e.FullName)).ToArray();
        if (entries.Length > limits.MaxItems)
        {
            throw new ImportFileException($"The archive holds {entries.Length:N0} Markdown files; one import takes at most {limits.MaxItems:N0}.");
        }
        total(entries.Length);
        long expanded = 0;
        foreach (var entry in entries)
        {
            if (!IsInside(entry.FullName))
            {
                yield return ImportItem.Refused(entry.FullName, "Its path leads out of the archive's folder (a zip slip); it was skipped.");
                continue;
            }
            if (entry.Length > limits.MaxItemBytes)
            {
                yield return ImportItem.Refused(entry.FullName, $"It expands to {entry.Length:N0} bytes, more than a note may hold ({limits.MaxItemBytes:N0}).");
                continue;
            }
            var (content, problem) = ReadEntry(entry, limits.MaxItemBytes);
            if (content is null)
            {
                yield return ImportItem.Refused(entry.FullName, problem!);
                continue;
            }
            expanded += content.Length;
            if (expanded > limits.MaxExpandedBytes)
            {
                throw new ImportFileException($"The archive expands to more than {limits.MaxExpandedBytes:N0} bytes (a zip bomb?); the import stopped there.");
            }
            var item = Read(entry.FullName, content);
            yield return item.Note is { } note ? item with { Note = WithFiles(zip, entry.FullName, note, attachments, stored) } : item;
        }
    }

    /// <summary>
    /// The note with the files it links to by a relative path inside the archive (as an export of
    /// this app puts them, in <c>attachments/</c> beside it) stored as attachments, and linked so.
    /// </summary>
    private static ImportedNote WithFiles(ZipArchive zip, string notePath, ImportedNote note, ImportedAttachments attachments, Dictionary<string, Attachment?> stored)
    {
        var folder = notePath.Contains('/') ? notePath[..(notePath.LastIndexOf('/') + 1)] : "";
        var (body, linked) = ImportedAttachments.Relink(note.Body, target =>
        {
            var path = Resolve(folder, target);
            if (path is null || IsMarkdown(path))
            {
                return null;
            }
            if (!stored.TryGetValue(path, out var attachment))
            {
                var entry = zip.GetEntry(path);
                using var content = entry is { Length: var length } && length <= attachments.MaxBytes ? entry.Open() : null;
                stored[path] = attachment = content is null ? null : attachments.Store(content, entry!.Name);
            }
            return attachment;
        });
        return linked.Count == 0 ? note : note with { Body = body, Attachments = linked };
    }

    /// <summary>A relative link's path in the archive, or null when it climbs out of it.</summary>
    private static string? Resolve(string folder, string target)
    {
        var segments = new List<string>();
        foreach (var segment in (folder + target).Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }
            if (segment == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }
                segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(segment);
        }
        return segments.Count == 0 ? null : string.Join('/', segments);
    }

    public static IEnumerable<ImportItem> ReadFile(Stream file, string fileName, ImportOptions limits, Action<int> total)
    {
        total(1);
        var content = ReadAtMost(file, limits.MaxItemBytes);
        yield return content is null
            ? ImportItem.Refused(fileName, $"It is larger than a note may hold ({limits.MaxItemBytes:N0} bytes).")
            : Read(fileName, content);
    }

    /// <summary>One Markdown file's bytes as a note, or why they are none.</summary>
    public static ImportItem Read(string source, byte[] content)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException e)
        {
            return ImportItem.Refused(source, $"It is not valid UTF-8 (at byte {e.Index:N0}).");
        }
        MarkdownFile markdown;
        try
        {
            markdown = NoteMarkdown.Read(text);
        }
        catch (FormatException e)
        {
            return ImportItem.Refused(source, e.Message);
        }
        var id = ImportIds.From("markdown", markdown.Fields.GetValueOrDefault("title") ?? "", markdown.Body);
        if (markdown.Fields.TryGetValue("id", out var given) && !Guid.TryParse(given, out id))
        {
            return ImportItem.Refused(source, $"Its front matter's id '{Shorten(given)}' is not a UUID.");
        }
        var title = ImportedTitle.From(markdown.Fields.GetValueOrDefault("title"), Path.GetFileNameWithoutExtension(source.Replace('\\', '/').Split('/')[^1]));
        if (NoteRules.CheckBody(markdown.Body) is { } violation)
        {
            return ImportItem.Refused(source, violation.Message);
        }
        // The front matter's notebook, else the folders the file sits in, as in a vault zipped by hand.
        var notebook = markdown.List("notebook", '/') is { Count: > 0 } named ? named : source.Replace('\\', '/').Split('/')[..^1];
        return new ImportItem(source, new ImportedNote(id, title, markdown.Body, Time(markdown.Fields, "created"), Time(markdown.Fields, "updated"),
            markdown.List("tags", ','), notebook, Pinned: markdown.Fields.GetValueOrDefault("pinned")?.Equals("true", StringComparison.OrdinalIgnoreCase) == true), null);
    }

    private static ZipArchive OpenZip(Stream file)
    {
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new ImportFileException($"This is not a zip archive that can be read: {e.Message}");
        }
    }

    private static (byte[]? Content, string? Problem) ReadEntry(ZipArchiveEntry entry, long limit)
    {
        try
        {
            using var stream = entry.Open();
            return ReadAtMost(stream, limit) is { } content
                ? (content, null)
                : (null, $"It expands to more than a note may hold ({limit:N0} bytes), more than the {entry.Length:N0} it declares.");
        }
        catch (InvalidDataException e)
        {
            return (null, $"It cannot be unpacked: {e.Message}");
        }
    }

    /// <summary>The stream's bytes, or null when there are more than <paramref name="limit"/>.</summary>
    internal static byte[]? ReadAtMost(Stream stream, long limit)
    {
        using var content = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (content.Length + read > limit)
            {
                return null;
            }
            content.Write(buffer, 0, read);
        }
        return content.ToArray();
    }

    private static bool IsMarkdown(string path) =>
        !path.EndsWith('/') && (path.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".markdown", StringComparison.OrdinalIgnoreCase));

    /// <summary>Relative, and never climbing: what unpacking it could not turn into a write elsewhere.</summary>
    private static bool IsInside(string path)
    {
        var segments = path.Replace('\\', '/').Split('/');
        return !path.StartsWith('/') && !path.StartsWith('\\') && !path.Contains('\0') && !(path.Length > 1 && path[1] == ':')
            && !segments.Any(s => s == "..");
    }

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : null;

    private static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..40]}…";
}

/// <summary>A whole import file that cannot be read further: not an archive, too many items, or a bomb.</summary>
public sealed class ImportFileException(string message) : Exception(message);

/// <summary>A title as the rules take it: the file's as it is, else the fallback, else "Untitled"; cut to the longest allowed.</summary>
public static class ImportedTitle
{
    public static string From(string? title, string fallback)
    {
        var chosen = !string.IsNullOrWhiteSpace(title) ? title : !string.IsNullOrWhiteSpace(fallback) ? fallback.Trim() : "Untitled";
        var runes = chosen.EnumerateRunes().ToArray();
        return runes.Length <= NoteRules.MaxTitleLength ? chosen : string.Concat(runes.Take(NoteRules.MaxTitleLength).Select(r => r.ToString()));
    }
}
