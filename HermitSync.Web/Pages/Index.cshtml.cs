using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

public sealed class IndexModel(NotesApi notes) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public NotePage Results { get; private set; } = new([], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        Results = await notes.SearchAsync(Query, Cursor, cancellationToken);
}
