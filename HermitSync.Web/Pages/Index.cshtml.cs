using HermitSync.Web.Notes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

public sealed class IndexModel(NotesApi notes, OrganizationApi organization, NoteBodies bodies) : PageModel
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

    /// <summary>The opened note's body as the page shows it.</summary>
    public string OpenedHtml { get; private set; } = "";

    public IReadOnlyList<NotebookEntry> Notebooks { get; private set; } = [];

    public IReadOnlyList<TagCount> Tags { get; private set; } = [];

    /// <summary>The pinned notes the list's first page shows above the others; empty on a ranked search.</summary>
    public IReadOnlyList<NoteSummary> Pinned { get; private set; } = [];

    /// <summary>Whether there are more pinned notes than the first page shows; the Pinned list has them all.</summary>
    public bool MorePinned { get; private set; }

    /// <summary>
    /// Pinned notes come first: on a list that is not ranked by words and does not filter by pin
    /// itself, the first page shows them above the rest, and every page of the rest leaves them out.
    /// </summary>
    private bool PinnedFirst =>
        SearchQuery.TryParse(Query, out var query, out _) && !query.Ranked && query.Pin == PinFilter.Any
        && (Query?.Length ?? 0) + PinFilterLength <= SearchQuery.MaxLength;

    private const int PinFilterLength = 12;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var pinnedFirst = PinnedFirst;
        var pinned = pinnedFirst && Cursor is null ? notes.SearchAsync($"{Query} is:pinned", null, cancellationToken) : null;
        var search = notes.SearchAsync(pinnedFirst ? $"{Query} is:unpinned" : Query, Cursor, cancellationToken);
        var notebooks = organization.NotebooksAsync(cancellationToken);
        var tags = organization.TagsAsync(cancellationToken);
        var opened = Open is { } id ? notes.GetAsync(id, cancellationToken) : Task.FromResult<Note?>(null);
        (Results, SearchProblem) = await search;
        if (pinned is not null && (await pinned).Page is var pinnedPage)
        {
            (Pinned, MorePinned) = (pinnedPage.Items, pinnedPage.NextCursor is not null);
        }
        Opened = await opened;
        OpenedHtml = Opened is { } note ? await bodies.ToSafeHtmlAsync(note.Body, cancellationToken) : "";
        (Notebooks, Tags) = (await notebooks, await tags);
    }

    /// <summary>A search filter for a name, quoted when it holds a space.</summary>
    public static string Filter(string name, string value) => value.Any(char.IsWhiteSpace) ? $"{name}:\"{value}\"" : $"{name}:{value}";
}
