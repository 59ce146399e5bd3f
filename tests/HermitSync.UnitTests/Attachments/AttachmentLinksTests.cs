using HermitSync.Storage;

namespace HermitSync.UnitTests.Attachments;

public sealed class AttachmentLinksTests
{
    private static readonly string A = new('a', 64);
    private static readonly string B = new('b', 64);

    [Fact]
    public void A_body_links_to_each_attachment_once_in_the_order_it_first_appears()
    {
        var body = $"![one](/attachments/{B}) text [two](/attachments/{A}) again ![one](/attachments/{B})";

        Assert.Equal([B, A], AttachmentLinks.In(body));
    }

    [Theory]
    [InlineData("/attachments/{0}0")]
    [InlineData("/attachments/{0}g")]
    [InlineData("/attachments/AAAA")]
    [InlineData("attachments {0}")]
    public void Anything_that_is_not_exactly_a_link_to_an_attachment_is_not_one(string template)
    {
        Assert.Empty(AttachmentLinks.In(string.Format(template, A)));
    }

    [Theory]
    [InlineData("/attachments/{0}", true)]
    [InlineData("/attachments/{0}?x=1", false)]
    [InlineData("/attachments/{0}/", false)]
    [InlineData("https://elsewhere/attachments/{0}", false)]
    [InlineData("/attachments/../{0}", false)]
    public void A_url_names_an_attachment_only_when_it_is_exactly_its_path(string template, bool names)
    {
        Assert.Equal(names ? A : null, AttachmentLinks.HashOf(string.Format(template, A)));
    }

    [Fact]
    public void A_file_name_cannot_break_out_of_its_link_text()
    {
        Assert.Equal(@"a\](evil) \[b\\ \<img\> my\_file", AttachmentLinks.LinkText("a](evil)\n[b\\\t<img> my_file"));
    }
}
