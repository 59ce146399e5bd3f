using System.Text.RegularExpressions;
using HermitSync.Storage;

namespace HermitSync.Api.Import;

/// <summary>
/// The files an import meets that its notes link to: each streamed into the blob store as it is
/// read (the import's readers run on their own thread, synchronously), and recorded by
/// <see cref="ImportJobs"/> with the notes that link to it. A file over the attachment limit is
/// left out and its link left as it was.
/// </summary>
public sealed partial class ImportedAttachments(AttachmentBlobs blobs, long maxBytes, TimeProvider time)
{
    public long MaxBytes => maxBytes;

    public Attachment? Store(Stream content, string name) => StoreBytes(content) is { } stored ? Describe(stored, name) : null;

    /// <summary>Stores a file whose name comes later, as an Evernote resource's does; null when it is over the limit.</summary>
    public StoredBlob? StoreBytes(Stream content)
    {
        try
        {
            var stored = blobs.WriteAsync(content, maxBytes).GetAwaiter().GetResult();
            _stored.TryAdd(stored.Hash, stored);
            return stored;
        }
        catch (AttachmentTooLargeException)
        {
            return null;
        }
    }

    /// <summary>What this import stored under <paramref name="hash"/>, if it did: a file cannot name a file it did not hold.</summary>
    public StoredBlob? StoredHere(string hash) => _stored.GetValueOrDefault(hash);

    private readonly Dictionary<string, StoredBlob> _stored = new(StringComparer.Ordinal);

    public Attachment Describe(StoredBlob stored, string name) =>
        new(stored.Hash, name, AttachmentTypes.Detect(stored.Head, name), stored.Size, time.GetUtcNow());

    /// <summary>
    /// The body with each relative link that <paramref name="open"/> finds a file for pointed at
    /// that file as an attachment, and the attachments it links to.
    /// </summary>
    public static (string Body, IReadOnlyList<Attachment> Attachments) Relink(string body, Func<string, Attachment?> open)
    {
        var linked = new List<Attachment>();
        var relinked = RelativeLink().Replace(body, match =>
        {
            if (open(Uri.UnescapeDataString(match.Groups["target"].Value)) is not { } attachment)
            {
                return match.Value;
            }
            linked.Add(attachment);
            return $"]({attachment.Link})";
        });
        return (relinked, linked.DistinctBy(a => a.Hash).ToArray());
    }

    // A Markdown link's or image's destination that names no scheme, no absolute path and no
    // anchor; Joplin's ":/{id}" is one.
    [GeneratedRegex(@"\]\((?<target>(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)[^)\s]+)\)")]
    private static partial Regex RelativeLink();
}
