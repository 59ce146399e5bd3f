using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace HermitSync.Api.Import;

/// <summary>
/// A Joplin export (<c>.jex</c>): a tar of Joplin's raw items, one <c>{id}.md</c> each. An item
/// is its title on the first line, a blank line, the body, a blank line, then <c>key: value</c>
/// lines, as Joplin's <c>BaseItem.unserialize</c> reads them from the end. Notes (<c>type_: 1</c>)
/// come in with their Joplin id; notebooks, tags and attachments are not notes and are passed over.
/// </summary>
public static class JoplinImport
{
    private const string NoteType = "1";

    public static IEnumerable<ImportItem> Read(Stream file, ImportOptions limits, Action<int> total)
    {
        var reader = Open(file);
        var notes = 0;
        while (Next(reader) is { } entry)
        {
            if (entry.Name.Replace('\\', '/').Split('/').Contains("..") || entry.Name.StartsWith('/'))
            {
                yield return ImportItem.Refused(entry.Name, "Its path leads out of the archive's folder (a tar slip); it was skipped.");
                continue;
            }
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Name.Contains('/') || !entry.Name.EndsWith(".md", StringComparison.Ordinal))
            {
                // Attachments live under resources/; links and folders are nothing an import takes.
                continue;
            }
            if (++notes > limits.MaxItems)
            {
                throw new ImportFileException($"The export holds more than {limits.MaxItems:N0} items; one import takes at most that many.");
            }
            if (entry.Length > limits.MaxItemBytes)
            {
                yield return ImportItem.Refused(entry.Name, $"It is {entry.Length:N0} bytes, more than a note may hold ({limits.MaxItemBytes:N0}).");
                continue;
            }
            var content = entry.DataStream is { } data ? MarkdownImport.ReadAtMost(data, limits.MaxItemBytes) : [];
            if (content is null)
            {
                yield return ImportItem.Refused(entry.Name, $"It is larger than it says, and than a note may hold ({limits.MaxItemBytes:N0}).");
                continue;
            }
            if (Read(entry.Name, content) is { } item)
            {
                yield return item;
            }
        }
        total(notes);
    }

    /// <summary>One raw item as a note; null when it is an item of another kind.</summary>
    public static ImportItem? Read(string source, byte[] content)
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
        var lines = text.Split('\n');
        var properties = new Dictionary<string, string>();
        var last = lines.Length - 1;
        for (; last >= 0 && lines[last].Trim() is { Length: > 0 } line; last--)
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                return ImportItem.Refused(source, $"Its properties end in '{line[..Math.Min(40, line.Length)]}', which is no 'key: value'.");
            }
            properties.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
        if (!properties.TryGetValue("type_", out var type))
        {
            return ImportItem.Refused(source, "It has no type_ property: it is not a Joplin item.");
        }
        if (type != NoteType)
        {
            return null;
        }
        if (properties.GetValueOrDefault("encryption_applied") == "1")
        {
            return ImportItem.Refused(source, "It is encrypted by Joplin; export it again with encryption turned off.");
        }
        if (!Guid.TryParseExact(properties.GetValueOrDefault("id"), "N", out var id))
        {
            return ImportItem.Refused(source, "Its id is not the 32 hexadecimal digits Joplin writes.");
        }
        var above = lines[..Math.Max(0, last)];
        var title = above.Length > 0 ? above[0] : "";
        var body = string.Join('\n', above.Skip(2));
        if (Storage.NoteRules.CheckBody(body) is { } violation)
        {
            return ImportItem.Refused(source, violation.Message);
        }
        return new ImportItem(source, new ImportedNote(id, ImportedTitle.From(title, "Untitled"), body, Time(properties, "created_time"), Time(properties, "updated_time")), null);
    }

    private static TarReader Open(Stream file) => new(file, leaveOpen: true);

    private static TarEntry? Next(TarReader reader)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new ImportFileException($"This is not a Joplin export (a tar archive) that can be read: {e.Message}");
        }
    }

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> properties, string name) =>
        properties.TryGetValue(name, out var text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
