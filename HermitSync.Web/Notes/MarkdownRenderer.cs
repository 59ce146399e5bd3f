using Markdig;

namespace HermitSync.Web.Notes;

/// <summary>
/// Notes are written in Markdown. The renderer's output is sanitized before it reaches a page,
/// since a note may come from any peer and Markdown passes raw HTML through.
/// </summary>
public sealed class MarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .UseAutoLinks()
        .UsePipeTables()
        .UseTaskLists()
        .UseEmphasisExtras()
        .Use<TaskListsAsText>()
        .Use<WikiLinks>()
        .Use<TableAlignmentAsAttribute>()
        .Build();

    private readonly NoteHtmlSanitizer _sanitizer = new();

    public string ToSafeHtml(string markdown) => _sanitizer.Sanitize(Markdown.ToHtml(markdown, _pipeline));

    /// <summary>The words without the markup, for excerpts in lists; Razor encodes it like any text.</summary>
    public string ToPlainText(string markdown) => Markdown.ToPlainText(markdown, _pipeline).Trim();
}
