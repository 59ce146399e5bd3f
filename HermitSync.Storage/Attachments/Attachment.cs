namespace HermitSync.Storage;

/// <summary>
/// A file a note holds: its content's SHA-256 (the name it is stored and linked by), the name it
/// was added under, its media type and size. The same content added twice is one attachment.
/// </summary>
public sealed record Attachment(string Hash, string Name, string MediaType, long Size, DateTimeOffset AddedAt)
{
    /// <summary>How a note links to it: the app serves every attachment at this path.</summary>
    public string Link => AttachmentLinks.PathOf(Hash);

    /// <summary>Markdown that shows it: an image inline, anything else as a link.</summary>
    public string Markdown => AttachmentTypes.ShowsInline(MediaType)
        ? $"![{AttachmentLinks.LinkText(Name)}]({Link})"
        : $"[{AttachmentLinks.LinkText(Name)}]({Link})";
}

/// <summary>What a page needs to show the attachments a note links to: those here, and those that have not arrived.</summary>
public sealed record AttachmentLookup(IReadOnlyList<Attachment> Here, IReadOnlyList<string> Missing);
