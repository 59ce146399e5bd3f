using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

public sealed class NewModel(NotesApi notes) : PageModel
{
    /// <summary>Chosen when the form is shown, so a double submit creates one note, not two.</summary>
    [BindProperty]
    public Guid Id { get; set; }

    [BindProperty]
    public NoteInput Input { get; set; } = new();

    public void OnGet() => Id = Guid.CreateVersion7();

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Id == Guid.Empty)
        {
            Id = Guid.CreateVersion7();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await notes.CreateAsync(Id, Input.Title, Input.Body ?? "", cancellationToken);
        if (!result.Saved)
        {
            ModelState.AddApiErrors(result.Errors);
            return Page();
        }
        TempData["Flash"] = $"Saved “{result.Note!.Title}”.";
        return RedirectToPage("/Notes/View", new { id = result.Note.Id });
    }
}
