using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

/// <summary>The notebooks: make one, rename or move one, delete one. A deleted notebook's notes show in the notebook above it.</summary>
public sealed class NotebooksModel(OrganizationApi organization) : PageModel
{
    public IReadOnlyList<NotebookEntry> Notebooks { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Notebooks = await organization.NotebooksAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateAsync(string? name, string? parentId, CancellationToken cancellationToken) =>
        DoneAsync(organization.CreateNotebookAsync(name ?? "", parentId, cancellationToken), $"Made the notebook “{name?.Trim()}”.");

    public Task<IActionResult> OnPostUpdateAsync(string id, string? name, string? parentId, CancellationToken cancellationToken) =>
        DoneAsync(organization.UpdateNotebookAsync(id, name ?? "", parentId ?? "", cancellationToken), $"Saved the notebook “{name?.Trim()}”.");

    public Task<IActionResult> OnPostDeleteAsync(string id, string? name, CancellationToken cancellationToken) =>
        DoneAsync(organization.DeleteNotebookAsync(id, cancellationToken), $"Deleted the notebook “{name}”. Its notes show in the notebook above it, or under All notes.");

    private async Task<IActionResult> DoneAsync(Task<string?> write, string success)
    {
        TempData["Flash"] = await write ?? success;
        return RedirectToPage();
    }
}
