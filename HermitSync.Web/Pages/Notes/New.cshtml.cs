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

    /// <summary>A link to a note that does not exist yet offers this page with its title filled in.</summary>
    public void OnGet(string? title)
    {
        Id = Guid.CreateVersion7();
        Input.Title = title?.Trim() ?? "";
    }

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
