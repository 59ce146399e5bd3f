using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

/// <summary>A note's history a page at a time, deleted notes' too; every entry opens that version.</summary>
public sealed class HistoryModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    /// <summary>The note as it stands, or null when it is in the Trash.</summary>
    public Note? Note { get; private set; }

    public NoteHistoryPage History { get; private set; } = new([], null);

    public string Title => Note?.Title ?? History.Items.FirstOrDefault()?.Title ?? "a note";

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (await notes.HistoryAsync(Id, Cursor, limit: null, cancellationToken) is not { } history)
        {
            return NotFound();
        }
        History = history;
        Note = await notes.GetAsync(Id, cancellationToken);
        return Page();
    }
}
