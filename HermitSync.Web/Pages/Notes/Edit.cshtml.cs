using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

public sealed class EditModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    /// <summary>The revision the user started from; the API refuses the save if the note moved on.</summary>
    [BindProperty]
    public string Revision { get; set; } = "";

    public long Version { get; private set; }

    public int Conflicts { get; private set; }

    [BindProperty]
    public NoteInput Input { get; set; } = new();

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Set when the save was refused because someone else saved first.</summary>
    public Note? Current { get; private set; }

    /// <summary>Versions made concurrently elsewhere that lost the merge; kept until someone resolves them.</summary>
    public IReadOnlyList<NoteVersion> ConflictVersions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var note = await notes.GetAsync(Id, cancellationToken);
        if (note is null)
        {
            return NotFound();
        }
        Show(note);
        Input = new NoteInput { Title = note.Title, Body = note.Body };
        if (note.Conflicts > 0)
        {
            ConflictVersions = await notes.ConflictsAsync(Id, cancellationToken);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var result = await notes.UpdateAsync(Id, Revision, Input.Title, Input.Body ?? "", cancellationToken);
        if (result.NotFound)
        {
            TempData["Flash"] = "That note was deleted meanwhile; your edit was not saved.";
            return RedirectToPage("/Index");
        }
        if (result.Stale)
        {
            Current = result.Current;
            // Keep the user's text; the next save is based on what is stored now.
            Show(Current!);
            ModelState.Remove(nameof(Revision));
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        if (!result.Saved)
        {
            ModelState.AddApiErrors(result.Errors);
            return Page();
        }
        TempData["Flash"] = $"Saved “{result.Note!.Title}” (version {result.Note.Version}).";
        return RedirectToPage("/Notes/View", new { id = Id });
    }

    private void Show(Note note)
    {
        Revision = note.Revision;
        Version = note.Version;
        Conflicts = note.Conflicts;
        CreatedAt = note.CreatedAt;
        UpdatedAt = note.UpdatedAt;
    }
}
