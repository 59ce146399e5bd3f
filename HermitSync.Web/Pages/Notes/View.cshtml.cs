using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages.Notes;

/// <summary>A note as people read it: its Markdown rendered, and where and when it changed.</summary>
public sealed class ViewModel(NotesApi notes, OrganizationApi organization, NoteBodies bodies) : PageModel
{
    /// <summary>The latest versions shown under the note; the History page has the rest.</summary>
    private const int RecentVersions = 10;

    public Note Note { get; private set; } = null!;

    public string BodyHtml { get; private set; } = "";

    public NoteHistoryPage History { get; private set; } = new([], null);

    public IReadOnlyList<NotebookEntry> Notebooks { get; private set; } = [];

    /// <summary>The notes that link here by this note's title.</summary>
    public IReadOnlyList<NoteSummary> LinkedFrom { get; private set; } = [];

    /// <summary>The notebook the note shows in: its own, or the nearest one above it left after a delete.</summary>
    public NotebookEntry? Notebook { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await notes.GetAsync(id, cancellationToken) is not { } note)
        {
            return NotFound();
        }
        Note = note;
        BodyHtml = await bodies.ToSafeHtmlAsync(note.Body, cancellationToken);
        History = await notes.HistoryAsync(id, cursor: null, RecentVersions, cancellationToken) ?? History;
        Notebooks = await organization.NotebooksAsync(cancellationToken);
        LinkedFrom = await notes.BacklinksAsync(id, cancellationToken);
        Notebook = Notebooks.FirstOrDefault(n => n.Id == note.Labels.NotebookId);
        return Page();
    }

    /// <summary>Sets the notebook, the tags (typed with commas between them) and the pin, all at once.</summary>
    public async Task<IActionResult> OnPostLabelsAsync(Guid id, string? notebookId, string? tags, bool pinned, CancellationToken cancellationToken)
    {
        var typed = (tags ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        TempData["Flash"] = await organization.SetLabelsAsync(id, notebookId ?? "", pinned, typed, cancellationToken) ?? "Saved the notebook, tags and pin.";
        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostPinAsync(Guid id, bool pinned, CancellationToken cancellationToken)
    {
        if (await organization.PinAsync(id, pinned, cancellationToken) is { } problem)
        {
            TempData["Flash"] = problem;
        }
        return RedirectToPage(new { id });
    }
}
