using HermitSync.Web.Notes;

namespace HermitSync.UnitTests.Web;

/// <summary><c>[[Note title]]</c> links as the web app renders them, through the sanitizer like every note.</summary>
public sealed class WikiLinksTests
{
    private readonly MarkdownRenderer _markdown = new();

    [Theory]
    [InlineData("See [[Trip to Lisbon]].", """<a href="/Notes/Link?title=Trip%20to%20Lisbon" rel="noopener noreferrer nofollow">Trip to Lisbon</a>""")]
    [InlineData("[[Trip to Lisbon|the trip]]", """<a href="/Notes/Link?title=Trip%20to%20Lisbon" rel="noopener noreferrer nofollow">the trip</a>""")]
    [InlineData("[[ Spaced ]]", """<a href="/Notes/Link?title=Spaced" rel="noopener noreferrer nofollow">Spaced</a>""")]
    [InlineData("[[javascript:alert(1)]]", """<a href="/Notes/Link?title=javascript%3Aalert%281%29" rel="noopener noreferrer nofollow">javascript:alert(1)</a>""")]
    [InlineData("[[<b>bold</b>]]", """<a href="/Notes/Link?title=%3Cb%3Ebold%3C%2Fb%3E" rel="noopener noreferrer nofollow">&lt;b&gt;bold&lt;/b&gt;</a>""")]
    public void A_double_bracketed_title_links_to_the_note_of_that_title(string markdown, string link) =>
        Assert.Contains(link, _markdown.ToSafeHtml(markdown));

    [Theory]
    [InlineData("`[[in code]]`")]
    [InlineData("[[]]")]
    [InlineData("[[unclosed")]
    [InlineData("[[a [nested] title]]")]
    public void What_is_not_a_title_between_double_brackets_is_left_as_text(string markdown) =>
        Assert.DoesNotContain("/Notes/Link", _markdown.ToSafeHtml(markdown));

    [Fact]
    public void A_list_excerpt_shows_the_links_words()
    {
        Assert.Equal("See the trip.", _markdown.ToPlainText("See [[Trip to Lisbon|the trip]]."));
    }
}
