using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

/// <summary>
/// The versions of a note made concurrently, side by side with the current one and a line
/// diff. Keeping one, or saving a hand-made merge, is a normal edit that settles them all.
/// </summary>
public sealed class ConflictsModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    /// <summary>The revision the page showed as current; the save is refused if the note moved on.</summary>
    [BindProperty]
    public string Revision { get; set; } = "";

    [BindProperty]
    public NoteInput Merged { get; set; } = new();

    public Note Note { get; private set; } = null!;

    public IReadOnlyList<(NoteVersion Version, SideBySideDiffModel Diff)> Versions { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }
        Merged = new NoteInput { Title = Note.Title, Body = Note.Body };
        return Page();
    }

    /// <summary>Keeps one version as it is: the current one, or one that lost the merge.</summary>
    public async Task<IActionResult> OnPostKeepAsync(string keep, CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }
        ModelState.Clear();
        var chosen = Versions.Select(v => v.Version).FirstOrDefault(v => v.Revision == keep);
        if (chosen is { Deleted: true })
        {
            // A delete settles every version the user has seen.
            return Settled(await notes.DeleteAsync(Id, Revision, cancellationToken), "Conflict resolved: the note is deleted.", "/Index");
        }
        var (title, body) = chosen is null ? (Note.Title, Note.Body) : (chosen.Title, chosen.Body);
        return await SaveAsync(title, body, $"“{title}”", cancellationToken);
    }

    public async Task<IActionResult> OnPostMergeAsync(CancellationToken cancellationToken)
    {
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        return await SaveAsync(Merged.Title, Merged.Body ?? "", "your merge", cancellationToken);
    }

    private async Task<IActionResult> SaveAsync(string title, string body, string what, CancellationToken cancellationToken)
    {
        var resolves = Versions.Select(v => v.Version.Revision).ToArray();
        var result = await notes.UpdateAsync(Id, Revision, title, body, cancellationToken, resolves);
        return Settled(result, $"Conflict resolved: kept {what} as version {result.Note?.Version}.", "/Notes/View");
    }

    private IActionResult Settled(SaveResult result, string done, string next)
    {
        if (!result.Stale && !result.NotFound && result.Errors.Count == 0)
        {
            TempData["Flash"] = done;
            return RedirectToPage(next, new { id = Id });
        }
        if (result.NotFound)
        {
            TempData["Flash"] = "That note was deleted meanwhile; nothing was saved.";
            return RedirectToPage("/Index");
        }
        TempData["Flash"] = result.Stale
            ? "The note changed while you were comparing; nothing was saved. Here it is as it stands now."
            : string.Join(" ", result.Errors.SelectMany(e => e.Value));
        return RedirectToPage(new { id = Id });
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (await notes.GetAsync(Id, cancellationToken) is not { } note)
        {
            return false;
        }
        Note = note;
        var conflicts = note.Conflicts > 0 ? await notes.ConflictsAsync(Id, cancellationToken) : [];
        Versions = conflicts.Select(c => (c, SideBySideDiffBuilder.Diff(note.Body, c.Deleted ? "" : c.Body, ignoreWhiteSpace: false))).ToArray();
        if (string.IsNullOrEmpty(Revision) || Request.Method == HttpMethods.Get)
        {
            Revision = note.Revision;
        }
        return true;
    }
}
