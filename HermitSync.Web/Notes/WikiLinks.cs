using Markdig;
using Markdig.Helpers;
using Markdig.Parsers;
using Markdig.Parsers.Inlines;
using Markdig.Renderers;
using Markdig.Syntax.Inlines;

namespace HermitSync.Web.Notes;

/// <summary>
/// Reads <c>[[Note title]]</c> and <c>[[Note title|shown words]]</c> as links to the note of that
/// title. The link goes to <see cref="Target"/>, which opens the note, or offers to make it when
/// there is none, so rendering a note needs no lookup.
/// </summary>
public sealed class WikiLinks : IMarkdownExtension
{
    /// <summary>Where a link to a title leads.</summary>
    public static string Target(string title) => $"/Notes/Link?title={Uri.EscapeDataString(title)}";

    public void Setup(MarkdownPipelineBuilder pipeline)
    {
        if (!pipeline.InlineParsers.Contains<WikiLinkParser>())
        {
            pipeline.InlineParsers.InsertBefore<LinkInlineParser>(new WikiLinkParser());
        }
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
    }

    private sealed class WikiLinkParser : InlineParser
    {
        public WikiLinkParser() => OpeningCharacters = ['['];

        public override bool Match(InlineProcessor processor, ref StringSlice slice)
        {
            if (slice.PeekCharExtra(1) != '[')
            {
                return false;
            }
            var start = slice.Start;
            var close = slice.Text.IndexOf("]]", start + 2, slice.End - start - 1, StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }
            var inner = slice.Text[(start + 2)..close];
            var bar = inner.IndexOf('|');
            var title = (bar < 0 ? inner : inner[..bar]).Trim();
            var label = bar < 0 ? title : inner[(bar + 1)..].Trim();
            if (title.Length == 0 || inner.AsSpan().IndexOfAny("[]\n\r") >= 0)
            {
                return false;
            }
            var link = new LinkInline(Target(title), "") { IsClosed = true };
            link.AppendChild(new LiteralInline(label.Length > 0 ? label : title));
            processor.Inline = link;
            slice.Start = close + 2;
            return true;
        }
    }
}
