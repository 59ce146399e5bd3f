using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.IntegrationTests.Undo;

/// <summary>What the undo tests do through a site's /api: delete, read the Trash and the history whole, restore.</summary>
internal static class UndoApi
{
    /// <summary>A cap on pages, so a cursor that never ends fails the test instead of hanging it.</summary>
    private const int MaxPages = 100;

    public static async Task DeleteAsync(HttpClient site, Note note)
    {
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/notes/{note.Id}");
        delete.Headers.IfMatch.ParseAdd(note.ETag);
        using var response = await site.SendAsync(delete);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>Sends a restore of <paramref name="revision"/> (or of the note as it was deleted) with <paramref name="ifMatch"/>, unless that is null.</summary>
    public static async Task<HttpResponseMessage> RestoreAsync(HttpClient site, Guid id, string? ifMatch, string? revision = null)
    {
        using var restore = new HttpRequestMessage(HttpMethod.Post, $"/api/notes/{id}/restore") { Content = JsonContent.Create(new { revision }) };
        if (ifMatch is not null)
        {
            restore.Headers.IfMatch.ParseAdd(ifMatch);
        }
        return await site.SendAsync(restore);
    }

    /// <summary>A 412 that names <paramref name="current"/> as the revision the note is at now.</summary>
    public static async Task AssertStaleAsync(HttpResponseMessage response, Note current)
    {
        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Equal(current.Revision, problem.Extensions["currentRevision"]?.ToString());
    }

    /// <summary>The whole Trash, followed page by page with its cursors, and how many pages it took.</summary>
    public static Task<(IReadOnlyList<TrashedNote> Items, int Pages)> TrashAsync(HttpClient site, int limit = 50) =>
        AllPagesAsync(site, "/api/trash", limit, (TrashPage page) => (page.Items, page.NextCursor));

    /// <summary>A note's whole history, followed page by page with its cursors, and how many pages it took.</summary>
    public static Task<(IReadOnlyList<NoteHistoryEntry> Items, int Pages)> HistoryAsync(HttpClient site, Guid id, int limit = 50) =>
        AllPagesAsync(site, $"/api/notes/{id}/history", limit, (NoteHistoryPage page) => (page.Items, page.NextCursor));

    private static async Task<(IReadOnlyList<T> Items, int Pages)> AllPagesAsync<TPage, T>(
        HttpClient site, string path, int limit, Func<TPage, (IReadOnlyList<T> Items, string? NextCursor)> read)
    {
        var items = new List<T>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (page, next) = read((await site.GetFromJsonAsync<TPage>($"{path}?limit={limit}{(cursor is null ? "" : $"&cursor={cursor}")}"))!);
            items.AddRange(page);
            cursor = next;
            Assert.True(++pages < MaxPages, $"the cursors of {path} never end");
        }
        while (cursor is not null);
        return (items, pages);
    }
}
