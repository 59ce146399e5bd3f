using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace HermitSync.Api.Import;

/// <summary>
/// A Joplin export (<c>.jex</c>): a tar of Joplin's raw items, one <c>{id}.md</c> each. An item
/// is its title on the first line, a blank line, the body, a blank line, then <c>key: value</c>
/// lines, as Joplin's <c>BaseItem.unserialize</c> reads them from the end. Notes (<c>type_: 1</c>)
/// come in with their Joplin id, in their notebook (<c>type_: 2</c>, nested by <c>parent_id</c>)
/// and with their tags (<c>type_: 5</c>, given to notes by <c>type_: 6</c>), and the files they
/// link to as <c>:/{resource id}</c> (<c>type_: 4</c>, their bytes under <c>resources/</c>) as attachments.
/// </summary>
public static class JoplinImport
{
    private const string NoteType = "1";
    private const string FolderType = "2";
    private const string ResourceType = "4";
    private const string TagType = "5";
    private const string NoteTagType = "6";

    /// <summary>
    /// Reads the archive twice: first its notebooks, tags and attachments, which may come after
    /// the notes that use them, then its notes. The upload is a file, so the second pass costs a read.
    /// </summary>
    public static IEnumerable<ImportItem> Read(Stream file, ImportOptions limits, ImportedAttachments files, Action<int> total)
    {
        var labels = ReadLabels(file, limits, files);
        file.Position = 0;
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
            if (Read(entry.Name, content, labels) is { } item)
            {
                yield return item;
            }
        }
        total(notes);
    }

    /// <summary>The notebooks and tags an export holds, and which tags each note has.</summary>
    public sealed class Labels
    {
        public Dictionary<string, (string Title, string Parent)> Folders { get; } = [];

        public Dictionary<string, string> Tags { get; } = [];

        public Dictionary<string, List<string>> TagsOfNote { get; } = [];

        /// <summary>Each resource stored as an attachment, by its id.</summary>
        public Dictionary<string, Storage.Attachment> Attachments { get; } = [];

        public static Labels None { get; } = new();

        /// <summary>The names of a notebook and those above it, from the top.</summary>
        public IReadOnlyList<string> PathOf(string? folderId)
        {
            var names = new List<string>();
            var seen = new HashSet<string>();
            // A parent met again is a loop (two devices moved each under the other): the path stops there.
            for (var at = folderId; at is { Length: > 0 } && seen.Add(at) && Folders.TryGetValue(at, out var folder); at = folder.Parent)
            {
                names.Add(folder.Title);
            }
            names.Reverse();
            return names;
        }

        public IReadOnlyList<string> TagsOf(string noteId) =>
            TagsOfNote.TryGetValue(noteId, out var ids) ? ids.Select(id => Tags.GetValueOrDefault(id)).OfType<string>().ToArray() : [];
    }

    private static Labels ReadLabels(Stream file, ImportOptions limits, ImportedAttachments files)
    {
        var labels = new Labels();
        var resourceNames = new Dictionary<string, string>();
        var resourceBytes = new Dictionary<string, Storage.StoredBlob>();
        var reader = Open(file);
        var items = 0;
        while (Next(reader) is { } entry)
        {
            // A resource's bytes: resources/{id}.{extension}, stored as they stream past.
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && ResourceId(entry.Name) is { } resource
                && entry.Length <= files.MaxBytes && entry.DataStream is { } bytes && files.StoreBytes(bytes) is { } stored)
            {
                resourceBytes.TryAdd(resource, stored);
                continue;
            }
            // Notebooks, tags and their links are a few lines each; notes and attachments are read in the second pass.
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Name.Contains('/')
                || !entry.Name.EndsWith(".md", StringComparison.Ordinal) || entry.Length > MaxLabelItemBytes || ++items > limits.MaxItems)
            {
                continue;
            }
            var content = entry.DataStream is { } data ? MarkdownImport.ReadAtMost(data, MaxLabelItemBytes) : null;
            if (content is null || Parse(content).Item is not { } item)
            {
                continue;
            }
            var id = item.Properties.GetValueOrDefault("id") ?? "";
            switch (item.Properties.GetValueOrDefault("type_"))
            {
                case FolderType:
                    labels.Folders.TryAdd(id, (item.Title, item.Properties.GetValueOrDefault("parent_id") ?? ""));
                    break;
                case TagType:
                    labels.Tags.TryAdd(id, item.Title);
                    break;
                case ResourceType:
                    resourceNames.TryAdd(id, item.Title);
                    break;
                case NoteTagType when item.Properties.GetValueOrDefault("note_id") is { } note && item.Properties.GetValueOrDefault("tag_id") is { } tag:
                    (labels.TagsOfNote.TryGetValue(note, out var tags) ? tags : labels.TagsOfNote[note] = []).Add(tag);
                    break;
            }
        }
        foreach (var (id, stored) in resourceBytes)
        {
            labels.Attachments[id] = files.Describe(stored, resourceNames.GetValueOrDefault(id) is { Length: > 0 } name ? name : id);
        }
        return labels;
    }

    /// <summary>The id of a resource's bytes, <c>resources/{32 hex digits}</c> with any extension; null for anything else.</summary>
    private static string? ResourceId(string path)
    {
        var parts = path.Replace('\\', '/').Split('/');
        var id = parts is ["resources", var file] ? file.Split('.')[0] : null;
        return id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower) ? id : null;
    }

    private const int MaxLabelItemBytes = 64 * 1024;

    /// <summary>A raw item: its title (its first line), body and properties.</summary>
    private sealed record RawItem(string Title, string Body, Dictionary<string, string> Properties);

    /// <summary>A raw item read, or why it cannot be: it is not UTF-8, or its properties are not <c>key: value</c> lines.</summary>
    private static (RawItem? Item, string? Problem) Parse(byte[] content)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(content);
        }
        catch (DecoderFallbackException e)
        {
            return (null, $"It is not valid UTF-8 (at byte {e.Index:N0}).");
        }
        var lines = text.Split('\n');
        var properties = new Dictionary<string, string>();
        var last = lines.Length - 1;
        for (; last >= 0 && lines[last].Trim() is { Length: > 0 } line; last--)
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                return (null, $"Its properties end in '{line[..Math.Min(40, line.Length)]}', which is no 'key: value'.");
            }
            properties.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
        var above = lines[..Math.Max(0, last)];
        return (new RawItem(above.Length > 0 ? above[0] : "", string.Join('\n', above.Skip(2)), properties), null);
    }

    /// <summary>One raw item as a note; null when it is an item of another kind.</summary>
    public static ImportItem? Read(string source, byte[] content, Labels? labels = null)
    {
        var (item, problem) = Parse(content);
        if (item is null)
        {
            return ImportItem.Refused(source, problem!);
        }
        var properties = item.Properties;
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
        if (Storage.NoteRules.CheckBody(item.Body) is { } violation)
        {
            return ImportItem.Refused(source, violation.Message);
        }
        labels ??= Labels.None;
        // Joplin links a resource as :/{id}; one stored here is linked as the attachment it became.
        var (body, attachments) = ImportedAttachments.Relink(item.Body, target =>
            target.StartsWith(":/", StringComparison.Ordinal) ? labels.Attachments.GetValueOrDefault(target[2..]) : null);
        return new ImportItem(source, new ImportedNote(id, ImportedTitle.From(item.Title, "Untitled"), body, Time(properties, "created_time"), Time(properties, "updated_time"),
            labels.TagsOf(properties["id"]), labels.PathOf(properties.GetValueOrDefault("parent_id")), Attachments: attachments), null);
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
