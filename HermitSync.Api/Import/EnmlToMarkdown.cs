using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace HermitSync.Api.Import;

/// <summary>
/// Evernote's note markup (ENML, a subset of XHTML) as Markdown. It is read as HTML, which
/// forgives what real exports get wrong (a bare <c>&amp;</c>, an unclosed tag) and knows the
/// named entities without a DTD. An attachment (<c>en-media</c>) becomes a link to the attachment
/// its resource was stored as (an image shown inline), or a line that names it when it was not.
/// </summary>
public static class EnmlToMarkdown
{
    private static readonly HtmlParser Parser = new(new HtmlParserOptions { IsScripting = false });

    public static string Convert(string enml, IReadOnlyDictionary<string, EnexResource> resources)
    {
        var document = Parser.ParseDocument(enml);
        var root = document.QuerySelector("en-note") ?? document.Body ?? (INode)document;
        var markdown = new StringBuilder();
        new Writer(markdown, resources).Blocks(root);
        return markdown.ToString().Trim('\n');
    }

    private sealed class Writer(StringBuilder markdown, IReadOnlyDictionary<string, EnexResource> resources)
    {
        private int _listDepth;

        public void Blocks(INode parent)
        {
            foreach (var child in parent.ChildNodes)
            {
                Block(child);
            }
        }

        private void Block(INode node)
        {
            if (node is not IElement element)
            {
                Inline(node);
                return;
            }
            switch (element.LocalName)
            {
                case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                    Paragraph($"{new string('#', element.LocalName[1] - '0')} {InlineText(element)}");
                    break;
                case "ul" or "ol":
                    List(element);
                    break;
                case "pre":
                    Paragraph($"```\n{element.TextContent.TrimEnd('\n')}\n```");
                    break;
                case "blockquote":
                    Paragraph(string.Join('\n', Rendered(element).Split('\n').Select(line => $"> {line}".TrimEnd())));
                    break;
                case "hr":
                    Paragraph("---");
                    break;
                case "table":
                    foreach (var row in element.QuerySelectorAll("tr"))
                    {
                        Paragraph(string.Join(" | ", row.Children.Select(InlineText)));
                    }
                    break;
                case "div" or "p" or "section" or "article" or "center" or "en-note" or "body":
                    if (element.Children.Any(IsBlock))
                    {
                        Blocks(element);
                    }
                    else
                    {
                        Paragraph(InlineText(element));
                    }
                    break;
                default:
                    Inline(element);
                    break;
            }
        }

        private void List(IElement list)
        {
            _listDepth++;
            var number = 1;
            foreach (var item in list.Children.Where(c => c.LocalName == "li"))
            {
                var marker = list.LocalName == "ol" ? $"{number++}." : "-";
                var nested = item.Children.Where(c => c.LocalName is "ul" or "ol").ToArray();
                var text = InlineText(item, skip: nested);
                EnsureLineStart();
                markdown.Append(new string(' ', (_listDepth - 1) * 2)).Append(marker).Append(' ').Append(text).Append('\n');
                foreach (var inner in nested)
                {
                    List(inner);
                }
            }
            _listDepth--;
            if (_listDepth == 0)
            {
                markdown.Append('\n');
            }
        }

        private void Inline(INode node) => markdown.Append(InlineText(node));

        private void Paragraph(string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
            EnsureLineStart();
            markdown.Append(text.Trim()).Append("\n\n");
        }

        private void EnsureLineStart()
        {
            if (markdown.Length > 0 && markdown[^1] != '\n')
            {
                markdown.Append("\n\n");
            }
        }

        private string Rendered(IElement element)
        {
            var inner = new StringBuilder();
            new Writer(inner, resources).Blocks(element);
            return inner.ToString().Trim('\n');
        }

        private string InlineText(INode node) => InlineText(node, []);

        private string InlineText(INode node, IElement[] skip)
        {
            var text = new StringBuilder();
            foreach (var child in node.ChildNodes.Where(c => c is not IElement e || !skip.Contains(e)))
            {
                text.Append(child switch
                {
                    IText t => Collapse(t.Data),
                    IElement { LocalName: "br" } => "  \n",
                    IElement { LocalName: "b" or "strong" } e => Wrap("**", InlineText(e)),
                    IElement { LocalName: "i" or "em" } e => Wrap("*", InlineText(e)),
                    IElement { LocalName: "s" or "strike" or "del" } e => Wrap("~~", InlineText(e)),
                    IElement { LocalName: "code" } e => $"`{e.TextContent}`",
                    IElement { LocalName: "a" } e when e.GetAttribute("href") is { Length: > 0 } href => $"[{InlineText(e)}]({href.Replace(" ", "%20")})",
                    // Read as HTML, a self-closed en-todo or en-media holds whatever followed it.
                    IElement { LocalName: "en-todo" } e => (e.GetAttribute("checked") == "true" ? "[x] " : "[ ] ") + InlineText(e),
                    IElement { LocalName: "en-media" } e => $"{Media(e)}{InlineText(e)}",
                    IElement { LocalName: "img" } e => $"[image: {e.GetAttribute("alt") ?? e.GetAttribute("src") ?? ""}]",
                    IElement e when IsBlock(e) => $"{Rendered(e)}\n",
                    IElement e => InlineText(e),
                    _ => "",
                });
            }
            return text.ToString();
        }

        /// <summary>The attachment a resource became, or a line naming one that is not here.</summary>
        private string Media(IElement media) =>
            media.GetAttribute("hash") is { } hash && resources.TryGetValue(hash, out var resource)
                ? resource.Shown
                : $"[attachment: {media.GetAttribute("type") ?? "file"}]";

        private static string Wrap(string mark, string text) => string.IsNullOrWhiteSpace(text) ? text : $"{mark}{text.Trim()}{mark}";

        private static string Collapse(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"[ \t\r\n]+", " ");

        private static bool IsBlock(IElement element) =>
            element.LocalName is "div" or "p" or "ul" or "ol" or "h1" or "h2" or "h3" or "h4" or "h5" or "h6" or "pre" or "blockquote" or "hr" or "table" or "section" or "article" or "center";
    }
}
