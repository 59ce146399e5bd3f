using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

public sealed class IndexModel(NotesApi notes, OrganizationApi organization) : PageModel
{
    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public NotePage Results { get; private set; } = new([], null);

    /// <summary>Why the search could not be run, in words to show beside the box.</summary>
    public string? SearchProblem { get; private set; }

    /// <summary>The note shown in the third pane; on a phone, alone.</summary>
    [BindProperty(SupportsGet = true)]
    public Guid? Open { get; set; }

    public Note? Opened { get; private set; }

    public IReadOnlyList<NotebookEntry> Notebooks { get; private set; } = [];

    public IReadOnlyList<TagCount> Tags { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var search = notes.SearchAsync(Query, Cursor, cancellationToken);
        var notebooks = organization.NotebooksAsync(cancellationToken);
        var tags = organization.TagsAsync(cancellationToken);
        var opened = Open is { } id ? notes.GetAsync(id, cancellationToken) : Task.FromResult<Note?>(null);
        (Results, SearchProblem) = await search;
        Opened = await opened;
        (Notebooks, Tags) = (await notebooks, await tags);
    }

    /// <summary>A search filter for a name, quoted when it holds a space.</summary>
    public static string Filter(string name, string value) => value.Any(char.IsWhiteSpace) ? $"{name}:\"{value}\"" : $"{name}:{value}";
}
