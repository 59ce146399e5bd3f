using AngleSharp.Html.Parser;

namespace HermitSync.Web.Notes;

/// <summary>
/// Shows a note's attachments as what they are, in its sanitized HTML: a link to a file says the
/// file's type and size, and an image or file that has not arrived from the site that added it
/// says so, with a placeholder the page swaps for the image once it lands (<c>site.js</c>).
/// </summary>
public static class AttachmentsInNotes
{
    public const string PendingAttribute = "data-attachment-pending";

    public const string PendingNotice = "not here yet: it is on its way from the site that added it";

    private static readonly HtmlParser Parser = new();

    public static string Decorate(string safeHtml, AttachmentLookup attachments)
    {
        var document = Parser.ParseDocument("<!doctype html><body>" + safeHtml);
        var body = document.Body!;
        var here = attachments.Here.ToDictionary(a => a.Hash, StringComparer.Ordinal);
        foreach (var image in body.QuerySelectorAll("img").ToArray())
        {
            if (AttachmentLinks.HashOf(image.GetAttribute("src")) is { } hash && !here.ContainsKey(hash))
            {
                var placeholder = document.CreateElement("span");
                placeholder.SetAttribute(PendingAttribute, hash);
                placeholder.SetAttribute("role", "img");
                placeholder.SetAttribute("aria-label", image.GetAttribute("alt") ?? "image");
                placeholder.TextContent = $"🖼 {image.GetAttribute("alt")} — {PendingNotice}".Replace("  ", " ", StringComparison.Ordinal);
                image.Replace(placeholder);
            }
        }
        foreach (var link in body.QuerySelectorAll("a[href]"))
        {
            if (AttachmentLinks.HashOf(link.GetAttribute("href")) is not { } hash || link.QuerySelector("img") is not null)
            {
                continue;
            }
            var note = document.CreateElement("small");
            note.TextContent = here.TryGetValue(hash, out var attachment)
                ? $" ({attachment.MediaType}, {AttachmentTypes.DescribeSize(attachment.Size)})"
                : $" ({PendingNotice})";
            link.After(note);
        }
        return body.InnerHtml;
    }
}
