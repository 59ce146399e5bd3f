using System.IO.Compression;
using HermitSync.Api.Attachments;
using HermitSync.Storage;

namespace HermitSync.Api.Export;

/// <summary>
/// The attachments of an export, each written once into an <c>attachments/</c> folder beside the
/// notes that link to it, and the notes' links made relative to them, so the unpacked export
/// opens in any Markdown editor with its images. An attachment that has not arrived here keeps
/// its link as it was.
/// </summary>
internal sealed class ExportedAttachments(ZipArchive zip, DrainedBuffer output, AttachmentStore store)
{
    public const string Folder = "attachments/";

    /// <summary>Bytes copied into the zip between drains: a large file goes out as it is read.</summary>
    private const int CopyBytes = 1024 * 1024;

    private readonly Dictionary<string, ExportFileNames> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Folder, string Hash), string> _written = [];

    /// <summary>Writes what <paramref name="body"/> links to beside the note in <paramref name="noteFolder"/>, and returns the body linking there.</summary>
    public async Task<string> RelinkAsync(string noteFolder, string body, AttachmentLookup attachments, CancellationToken cancellationToken)
    {
        var here = attachments.Here.ToDictionary(a => a.Hash, StringComparer.Ordinal);
        var relinked = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var hash in AttachmentLinks.In(body))
        {
            if (here.TryGetValue(hash, out var attachment) && await WriteAsync(noteFolder, attachment, cancellationToken) is { } name)
            {
                relinked[hash] = Folder + Uri.EscapeDataString(name);
            }
        }
        return AttachmentLinks.Relink(body, hash => relinked.GetValueOrDefault(hash));
    }

    private async Task<string?> WriteAsync(string noteFolder, Attachment attachment, CancellationToken cancellationToken)
    {
        if (_written.TryGetValue((noteFolder, attachment.Hash), out var written))
        {
            return written;
        }
        if (store.PathOf(attachment) is not { } path)
        {
            return null;
        }
        if (!_names.TryGetValue(noteFolder, out var names))
        {
            _names[noteFolder] = names = new ExportFileNames();
        }
        var name = names.NextFile(attachment.Name);
        var entry = zip.CreateEntry(noteFolder + Folder + name, AttachmentTypes.ShowsInline(attachment.MediaType) ? CompressionLevel.NoCompression : CompressionLevel.Fastest);
        entry.LastWriteTime = attachment.AddedAt;
        await using (var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBytes, FileOptions.Asynchronous | FileOptions.SequentialScan))
        await using (var target = entry.Open())
        {
            var buffer = new byte[CopyBytes];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                target.Write(buffer, 0, read);
                await output.DrainAsync(all: false, cancellationToken);
            }
        }
        _written[(noteFolder, attachment.Hash)] = name;
        return name;
    }
}
