using AngleSharp.Html.Parser;
using HermitSync.Storage;
using HermitSync.Web.Notes;

namespace HermitSync.UnitTests.Web;

public sealed class AttachmentsInNotesTests
{
    private readonly MarkdownRenderer _markdown = new();
    private static readonly Attachment Report = new(new string('a', 64), "report.pdf", "application/pdf", 1536, DateTimeOffset.UnixEpoch);
    private static readonly Attachment Photo = new(new string('b', 64), "photo.png", "image/png", 10, DateTimeOffset.UnixEpoch);
    private static readonly string Missing = new('c', 64);

    [Fact]
    public void A_file_shows_its_type_and_size_an_image_here_shows_and_one_on_its_way_is_a_placeholder()
    {
        var body = $"{Report.Markdown}\n\n{Photo.Markdown}\n\n![the view]({AttachmentLinks.PathOf(Missing)})\n\n[later.zip]({AttachmentLinks.PathOf(Missing)})";

        var html = AttachmentsInNotes.Decorate(_markdown.ToSafeHtml(body), new AttachmentLookup([Report, Photo], [Missing]));

        var page = new HtmlParser().ParseDocument(html);
        Assert.Equal(" (application/pdf, 1.5 KB)", page.QuerySelector($"a[href='{Report.Link}'] + small")!.TextContent);
        Assert.Equal(Photo.Link, page.QuerySelector("img")!.GetAttribute("src"));
        Assert.Single(page.QuerySelectorAll("img"));
        var placeholder = page.QuerySelector($"[{AttachmentsInNotes.PendingAttribute}]")!;
        Assert.Equal(Missing, placeholder.GetAttribute(AttachmentsInNotes.PendingAttribute));
        Assert.Equal("the view", placeholder.GetAttribute("aria-label"));
        Assert.Contains(AttachmentsInNotes.PendingNotice, page.QuerySelector($"a[href='{AttachmentLinks.PathOf(Missing)}'] + small")!.TextContent);
    }

    [Fact]
    public void A_file_name_with_markup_stays_text()
    {
        var hostile = Report with { Name = "<img src=x onerror=alert(1)>](javascript:alert(1))" };

        var html = AttachmentsInNotes.Decorate(_markdown.ToSafeHtml(hostile.Markdown), new AttachmentLookup([hostile], []));

        var link = new HtmlParser().ParseDocument(html).QuerySelector("a")!;
        Assert.Equal(hostile.Link, link.GetAttribute("href"));
        Assert.Equal(hostile.Name, link.TextContent);
        Assert.DoesNotContain("<img", html);
    }
}
