namespace HermitSync.Storage;

/// <summary>Where a site keeps its attachments' bytes, and what it takes.</summary>
public sealed class AttachmentOptions
{
    public const string Section = "HermitSync:Attachments";

    /// <summary>The folder in the site's data directory; the AppHost sets it.</summary>
    public string Folder { get; set; } = "";

    /// <summary>The largest file one attachment may be, added here or arriving from a peer.</summary>
    public long MaxBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>How long an attachment no note links to is kept before it is removed, here and from the sync folder.</summary>
    public TimeSpan KeepUnreferencedFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often the exporter looks for attachments no note links to.</summary>
    public TimeSpan CollectEvery { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the exporter looks on its own for this site's new attachments to seal into its
    /// folder. The API tells it of each one at once; this bounds how late one is sealed when that word is lost.
    /// </summary>
    public TimeSpan SealEvery { get; set; } = TimeSpan.FromSeconds(2);
}
