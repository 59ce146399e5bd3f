using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

public sealed class DeleteModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    /// <summary>The revision the user confirmed; a newer edit is not deleted unseen.</summary>
    [BindProperty]
    public string Revision { get; set; } = "";

    public Note? Note { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        Note = await notes.GetAsync(Id, cancellationToken);
        if (Note is null)
        {
            return NotFound();
        }
        Revision = Note.Revision;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var result = await notes.DeleteAsync(Id, Revision, cancellationToken);
        if (result.Stale)
        {
            Note = result.Current;
            Problem = $"The note was edited meanwhile (now version {Note!.Version}). Check it before deleting.";
            ModelState.Remove(nameof(Revision));
            Revision = Note.Revision;
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        TempData["Flash"] = result.NotFound ? "That note was already deleted." : "Note moved to the Trash.";
        return RedirectToPage("/Index");
    }
}
