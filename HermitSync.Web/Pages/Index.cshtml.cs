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

    /// <summary>Why the search could not be run, in words to show beside the box.</summary>
    public string? SearchProblem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) =>
        (Results, SearchProblem) = await notes.SearchAsync(Query, Cursor, cancellationToken);
}
