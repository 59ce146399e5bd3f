using Markdig;
using Markdig.Extensions.TaskLists;
using Markdig.Renderers;
using Markdig.Renderers.Html;

namespace HermitSync.Web.Notes;

/// <summary>
/// Writes a task list's boxes as the characters ☐ and ☑ instead of disabled checkboxes, so a
/// note's HTML needs no <c>input</c> element and the sanitizer can refuse every form control.
/// </summary>
public sealed class TaskListsAsText : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline)
    {
    }

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
        if (renderer is HtmlRenderer html)
        {
            html.ObjectRenderers.ReplaceOrAdd<HtmlTaskListRenderer>(new TaskBoxRenderer());
        }
    }

    private sealed class TaskBoxRenderer : HtmlObjectRenderer<TaskList>
    {
        protected override void Write(HtmlRenderer renderer, TaskList task) => renderer.Write(task.Checked ? "☑" : "☐");
    }
}
