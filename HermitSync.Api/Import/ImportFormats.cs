namespace HermitSync.Api.Import;

public enum ImportFormat { Markdown, MarkdownArchive, Evernote, Joplin }

/// <summary>Which reader a file goes to, by its name, as people name their exports.</summary>
public static class ImportFormats
{
    public static ImportFormat Of(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".md" or ".markdown" => ImportFormat.Markdown,
        ".zip" => ImportFormat.MarkdownArchive,
        ".enex" => ImportFormat.Evernote,
        ".jex" => ImportFormat.Joplin,
        _ => throw new UnsupportedImportException(fileName),
    };

    public static IEnumerable<ImportItem> Read(ImportFormat format, Stream file, string fileName, ImportOptions limits, ImportedAttachments attachments, Action<int> total) => format switch
    {
        ImportFormat.Markdown => MarkdownImport.ReadFile(file, fileName, limits, total),
        ImportFormat.MarkdownArchive => MarkdownImport.ReadArchive(file, limits, attachments, total),
        ImportFormat.Evernote => EnexImport.Read(file, Path.GetFileNameWithoutExtension(fileName), limits, attachments, total),
        ImportFormat.Joplin => JoplinImport.Read(file, limits, attachments, total),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}

/// <summary>A file of a kind no import reads.</summary>
public sealed class UnsupportedImportException(string fileName)
    : Exception($"'{fileName}' is not a kind of file an import reads: a Markdown file (.md), a zip of them (.zip), an Evernote export (.enex) or a Joplin export (.jex).");
