using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

/// <summary>Deleted notes, a page at a time, each with a restore that adds a revision on top of its delete.</summary>
public sealed class TrashModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public TrashPage Deleted { get; private set; } = new([], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Deleted = await notes.TrashAsync(Cursor, cancellationToken);

    /// <summary>Brings a note back as it was deleted, if the delete the page showed is still its latest revision.</summary>
    public async Task<IActionResult> OnPostRestoreAsync(Guid id, string basedOn, CancellationToken cancellationToken)
    {
        var result = await notes.RestoreAsync(id, basedOn, revision: null, cancellationToken);
        if (result.Saved)
        {
            TempData["Flash"] = $"Restored “{result.Note!.Title}” (version {result.Note.Version}).";
            return RedirectToPage("/Notes/View", new { id });
        }
        TempData["Flash"] = result switch
        {
            { Stale: true, Current: var current } => $"“{current!.Title}” changed after this page was loaded (restored, or deleted again, elsewhere; it is now at version {current.Version}), so nothing was restored. Here is the Trash as it is now.",
            { NotFound: true } => "That note no longer exists.",
            _ => string.Join(" ", result.Errors.SelectMany(e => e.Value)),
        };
        return RedirectToPage();
    }
}
