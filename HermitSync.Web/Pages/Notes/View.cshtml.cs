using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

/// <summary>A note as people read it: its Markdown rendered, and where and when it changed.</summary>
public sealed class ViewModel(NotesApi notes, MarkdownRenderer markdown) : PageModel
{
    /// <summary>The latest versions shown under the note; the History page has the rest.</summary>
    private const int RecentVersions = 10;

    public Note Note { get; private set; } = null!;

    public string BodyHtml { get; private set; } = "";

    public NoteHistoryPage History { get; private set; } = new([], null);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await notes.GetAsync(id, cancellationToken) is not { } note)
        {
            return NotFound();
        }
        Note = note;
        BodyHtml = markdown.ToSafeHtml(note.Body);
        History = await notes.HistoryAsync(id, cursor: null, RecentVersions, cancellationToken) ?? History;
        return Page();
    }
}
