using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

/// <summary>
/// One version of a note: its Markdown rendered, a line diff against the current version, and a
/// restore that saves it as a new revision on top of the current one, refused if the note moved on.
/// </summary>
public sealed class RevisionModel(NotesApi notes, NoteBodies bodies) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string Revision { get; set; } = "";

    /// <summary>The current revision the page compared with; the restore is refused if the note moved on.</summary>
    [BindProperty]
    public string BasedOn { get; set; } = "";

    public OpenedRevision Opened { get; private set; } = null!;

    public string BodyHtml { get; private set; } = "";

    /// <summary>From the current version's body to this one's, line by line.</summary>
    public DiffPaneModel Diff { get; private set; } = null!;

    public bool IsCurrent => Opened.Revision.Revision == Opened.Current.Revision;

    /// <summary>Set when a restore was refused because the note changed after the page was loaded.</summary>
    public bool StaleRestore { get; private set; }

    /// <summary>Why a restore was refused otherwise, e.g. while the cluster has no leader.</summary>
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await LoadAsync(cancellationToken) ? Page() : NotFound();

    public async Task<IActionResult> OnPostRestoreAsync(CancellationToken cancellationToken)
    {
        var result = await notes.RestoreAsync(Id, BasedOn, Revision, cancellationToken);
        if (result.Saved)
        {
            TempData["Flash"] = $"Restored “{result.Note!.Title}” as version {result.Note.Version}.";
            return RedirectToPage("/Notes/View", new { id = Id });
        }
        if (!await LoadAsync(cancellationToken))
        {
            return NotFound();
        }
        if (result.Stale)
        {
            // The page now compares with what is current, and a second restore is based on it.
            StaleRestore = true;
            Response.StatusCode = StatusCodes.Status409Conflict;
        }
        else
        {
            Problem = result.NotFound ? "That version could not be found any more; nothing was restored." : string.Join(" ", result.Errors.SelectMany(e => e.Value));
        }
        return Page();
    }

    private async Task<bool> LoadAsync(CancellationToken cancellationToken)
    {
        if (!RevisionId.TryParse(Revision, out _) || await notes.OpenRevisionAsync(Id, Revision, cancellationToken) is not { } opened)
        {
            return false;
        }
        Opened = opened;
        ModelState.Remove(nameof(BasedOn));
        BasedOn = opened.Current.Revision;
        BodyHtml = await bodies.ToSafeHtmlAsync(opened.Revision.Body, cancellationToken);
        Diff = InlineDiffBuilder.Diff(opened.Current.Body, opened.Revision.Body, ignoreWhiteSpace: false);
        return true;
    }
}
