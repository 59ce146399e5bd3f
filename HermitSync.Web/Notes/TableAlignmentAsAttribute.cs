using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;

namespace HermitSync.Web.Notes;

/// <summary>
/// Aligns table columns with the <c>align</c> attribute instead of the inline style Markdig
/// writes: the page's Content-Security-Policy refuses inline styles, and the sanitizer
/// refuses <c>style</c> so a note cannot draw over the page.
/// </summary>
public sealed class TableAlignmentAsAttribute : IMarkdownExtension
{
    public void Setup(MarkdownPipelineBuilder pipeline) => pipeline.DocumentProcessed += MoveAlignment;

    public void Setup(MarkdownPipeline pipeline, IMarkdownRenderer renderer)
    {
    }

    private static void MoveAlignment(MarkdownDocument document)
    {
        foreach (var table in document.Descendants<Table>())
        {
            var columns = table.ColumnDefinitions;
            foreach (var row in table.OfType<TableRow>())
            {
                // Markdig's renderer reads a cell's column the same way: its index, else its place in the row.
                foreach (var (cell, place) in row.OfType<TableCell>().Select((cell, place) => (cell, place)))
                {
                    var column = cell.ColumnIndex >= 0 ? cell.ColumnIndex : place;
                    if (column < columns.Count && columns[column].Alignment is { } alignment)
                    {
                        cell.GetAttributes().AddProperty("align", alignment.ToString().ToLowerInvariant());
                    }
                }
            }
            foreach (var column in columns)
            {
                column.Alignment = null;
            }
        }
    }
}
