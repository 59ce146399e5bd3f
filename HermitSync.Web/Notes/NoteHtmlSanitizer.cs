using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Ganss.Xss;

namespace HermitSync.Web.Notes;

/// <summary>
/// Lets through only the HTML that Markdig's pipeline writes for a note, since a note may come
/// from any peer and Markdown passes raw HTML through. No styles, classes, ids or form
/// controls, so a note cannot draw over the page; no element that loads anything but an image
/// attached to a note (<c>/attachments/{hash}</c>, served by this app), so reading a note never
/// tells anyone, and an air-gapped machine never reaches out.
/// </summary>
public sealed class NoteHtmlSanitizer
{
    public static IReadOnlySet<string> AllowedTags { get; } = new HashSet<string>(
    [
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code",
        "em", "strong", "del", "ins", "mark", "sub", "sup",
        "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "a", "img",
    ]);

    /// <summary><c>start</c> numbers an ordered list; <c>align</c> is how a table column is aligned without CSS.</summary>
    public static IReadOnlySet<string> AllowedAttributes { get; } = new HashSet<string>(["href", "title", "src", "alt", "start", "align"]);

    /// <summary>What a removed element's content is: code, styles or a form's values, never words to keep.</summary>
    private static readonly HashSet<string> RemovedWithContent =
        ["script", "style", "template", "noscript", "textarea", "select", "iframe", "object", "embed", "svg", "math"];

    private static readonly HashSet<string> LinkSchemes = ["http", "https", "mailto"];

    private static readonly char[] ControlOrSpace = [.. Enumerable.Range(0, 0x21).Select(c => (char)c)];

    public const string LinkRel = "noopener noreferrer nofollow";

    public const string RemoteImageNotice = "remote image not loaded: ";

    private readonly HtmlSanitizer _sanitizer;

    public NoteHtmlSanitizer()
    {
        var options = HtmlSanitizerOptions.Empty();
        options.AllowedTags.UnionWith(AllowedTags);
        options.AllowedAttributes.UnionWith(AllowedAttributes);
        options.UriAttributes.UnionWith(["href", "src"]);
        options.AllowedSchemes.UnionWith(LinkSchemes);
        // Text inside an element that is not allowed (a <div>, a <font>) is still the note's text.
        _sanitizer = new HtmlSanitizer(options) { KeepChildNodes = true };
        _sanitizer.RemovingTag += (_, e) =>
        {
            if (RemovedWithContent.Contains(e.Tag.LocalName))
            {
                e.Tag.InnerHtml = "";
            }
        };
        _sanitizer.FilterUrl += (_, e) =>
        {
            if (e.SanitizedUrl is { } url && !IsAllowed(url))
            {
                e.SanitizedUrl = null;
            }
        };
        _sanitizer.PostProcessNode += (_, e) =>
        {
            switch (e.Node)
            {
                case IHtmlAnchorElement anchor:
                    anchor.SetAttribute("rel", LinkRel);
                    break;
                case IHtmlImageElement image when AttachmentLinks.HashOf(image.GetAttribute("src")) is null:
                    e.ReplacementNodes.Add(Placeholder(e.Document, image));
                    break;
            }
        };
    }

    public string Sanitize(string html) => _sanitizer.Sanitize(html);

    /// <summary>A link may only lead to the web or to mail, or stay in the app. An image's address is kept for the link it becomes.</summary>
    private static bool IsAllowed(string url) => Scheme(url) is not { } scheme || LinkSchemes.Contains(scheme);

    /// <summary>Any image but an attachment becomes a link to it, which the reader may follow or not: nothing is fetched.</summary>
    private static INode Placeholder(IDocument document, IHtmlImageElement image)
    {
        var source = image.GetAttribute("src");
        var description = image.GetAttribute("alt") ?? "";
        if (string.IsNullOrEmpty(source))
        {
            return document.CreateTextNode(description);
        }
        var link = document.CreateElement("a");
        link.SetAttribute("href", source);
        link.SetAttribute("rel", LinkRel);
        if (description.Length > 0)
        {
            link.SetAttribute("title", description);
        }
        link.TextContent = RemoteImageNotice + source;
        return link;
    }

    /// <summary>The scheme as a browser reads it, lower case; null for a relative URL.</summary>
    private static string? Scheme(string url)
    {
        var normalized = AsBrowserReadsIt(url);
        var colon = normalized.IndexOf(':');
        var scheme = colon > 0 ? normalized[..colon] : "";
        return scheme.Length > 0 && char.IsAsciiLetter(scheme[0]) && scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.')
            ? scheme.ToLowerInvariant()
            : null;
    }

    /// <summary>Browsers drop leading and trailing controls and spaces, and tabs and newlines anywhere, before they parse a URL.</summary>
    private static string AsBrowserReadsIt(string url) =>
        url.Trim(ControlOrSpace).Replace("\t", "").Replace("\n", "").Replace("\r", "");
}
