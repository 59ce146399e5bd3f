using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

/// <summary>
/// Where a <c>[[Note title]]</c> link leads: the note of that title, a choice when several have
/// it, or an offer to write it when none does.
/// </summary>
public sealed class LinkModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Title { get; set; }

    public IReadOnlyList<NoteSummary> Notes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Title = Title?.Trim();
        if (string.IsNullOrEmpty(Title) || NoteRules.CheckTitle(Title) is not null)
        {
            return BadRequest();
        }
        Notes = await notes.TitledAsync(Title, cancellationToken);
        return Notes.Count == 1 ? RedirectToPage("/Notes/View", new { id = Notes[0].Id }) : Page();
    }
}
