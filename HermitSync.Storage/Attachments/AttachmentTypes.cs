namespace HermitSync.Storage;

/// <summary>
/// What an attachment is. Only raster images whose bytes say so are shown inline; everything
/// else, SVG and HTML above all (they can carry script), is served as a download. The type is
/// read from the file's first bytes and its name, never taken from whoever sent it.
/// </summary>
public static class AttachmentTypes
{
    public const string Binary = "application/octet-stream";

    /// <summary>How many leading bytes <see cref="Detect"/> looks at.</summary>
    public const int SniffBytes = 16;

    private static readonly HashSet<string> InlineImages = ["image/png", "image/jpeg", "image/gif", "image/webp"];

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = "application/pdf",
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".csv"] = "text/csv",
        [".json"] = "application/json",
        [".zip"] = "application/zip",
        [".gz"] = "application/gzip",
        [".svg"] = "image/svg+xml",
        [".html"] = "text/html",
        [".htm"] = "text/html",
        [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg",
        [".wav"] = "audio/wav",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".doc"] = "application/msword",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".odt"] = "application/vnd.oasis.opendocument.text",
        [".epub"] = "application/epub+zip",
    };

    /// <summary>Whether a page may show it as an image: a PNG, JPEG, GIF or WebP, by its bytes.</summary>
    public static bool ShowsInline(string mediaType) => InlineImages.Contains(mediaType);

    /// <summary>The type of a file from its first bytes (an image must prove itself) and, failing that, its name.</summary>
    public static string Detect(ReadOnlySpan<byte> head, string name)
    {
        // A file named .png whose bytes are not a PNG is not an image: no extension names one here.
        return Image(head) ?? ByExtension.GetValueOrDefault(Path.GetExtension(name)) ?? Binary;
    }

    private static string? Image(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8) ? "image/gif"
        : head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
        : null;

    /// <summary>A size as people read it: 512 bytes, 14 KB, 3.2 MB.</summary>
    public static string DescribeSize(long bytes) => bytes switch
    {
        < 1024 => FormattableString.Invariant($"{bytes} bytes"),
        < 1024 * 1024 => FormattableString.Invariant($"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => FormattableString.Invariant($"{bytes / (1024.0 * 1024):0.#} MB"),
        _ => FormattableString.Invariant($"{bytes / (1024.0 * 1024 * 1024):0.##} GB"),
    };
}
