using System.Net;
using System.Net.Http.Json;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>What the README's API table promises, request by request, against the real stack.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class NotesApiTests(StackFixture stack)
{
    [Fact]
    public async Task A_retried_create_returns_the_same_note_and_a_different_note_under_that_id_is_409()
    {
        using var api = stack.WebBrowserClient();
        var id = Guid.CreateVersion7();

        using var first = await api.PostAsJsonAsync("/api/notes", new { id, title = "Chosen id", body = "first" });
        using var retried = await api.PostAsJsonAsync("/api/notes", new { id, title = "Chosen id", body = "first" });
        using var other = await api.PostAsJsonAsync("/api/notes", new { id, title = "Chosen id", body = "something else" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(await first.Content.ReadFromJsonAsync<Note>(), await retried.Content.ReadFromJsonAsync<Note>());
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        var stored = (await stack.Rqlite().QueryAsync(NoteSql.Find(id), ReadConsistency.Strong))!;
        Assert.Equal(("first", 1L), (stored.Body, stored.Version));
        Assert.Single((await stack.Rqlite().QueryAsync(RevisionSql.History(id, after: null, limit: 10), ReadConsistency.Strong)).Items);
    }

    [Fact]
    public async Task An_edit_without_if_match_is_428_and_changes_nothing()
    {
        using var api = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(api, "Needs a precondition", "as written");

        using var edit = await api.PutAsJsonAsync($"/api/notes/{note.Id}", new { title = "Needs a precondition", body = "blind overwrite" });

        Assert.Equal(HttpStatusCode.PreconditionRequired, edit.StatusCode);
        Assert.Equal("application/problem+json", edit.Content.Headers.ContentType?.MediaType);
        Assert.Equal(note, await Sites.GetAsync(api, note));
        Assert.Equal("as written", (await stack.Rqlite().QueryAsync(NoteSql.Find(note.Id), ReadConsistency.Strong))!.Body);
    }

    [Fact]
    public async Task Paging_by_cursor_returns_every_note_once_newest_first_while_notes_are_added_between_pages()
    {
        using var api = stack.WebBrowserClient();
        var marker = $"paged-{Guid.NewGuid():N}";
        var originals = new List<Note>();
        for (var i = 0; i < 7; i++)
        {
            originals.Add(await Sites.CreateAsync(api, $"{marker} {i}", ""));
        }

        var seen = new List<NoteSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = (await api.GetFromJsonAsync<NotePage>($"/api/notes?q={marker}&limit=3{(cursor is null ? "" : $"&cursor={cursor}")}"))!;
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
            // Newer notes land before the cursor: they must not shift what the next page holds.
            await Sites.CreateAsync(api, $"{marker} added after page {pages}", "");
        }
        while (cursor is not null && pages < 10);

        var newestFirst = originals.OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id.ToString("D"), StringComparer.Ordinal).Select(n => n.Id);
        Assert.Equal(3, pages);
        Assert.Equal(newestFirst, seen.Select(n => n.Id));
    }

    [Fact]
    public async Task The_history_lists_every_revision_newest_first_even_after_a_delete()
    {
        using var api = stack.WebBrowserClient();
        var siteId = await Sites.SiteIdAsync(api);
        var created = await Sites.CreateAsync(api, "History v1", "one");
        var second = await Sites.EditAsync(api, created, "History v2", "two");
        var third = await Sites.EditAsync(api, second, "History v3", "three");
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/notes/{created.Id}");
        delete.Headers.IfMatch.ParseAdd(third.ETag);
        Assert.Equal(HttpStatusCode.NoContent, (await api.SendAsync(delete)).StatusCode);

        var history = (await api.GetFromJsonAsync<NoteHistoryPage>($"/api/notes/{created.Id}/history"))!.Items;
        using var unknown = await api.GetAsync($"/api/notes/{Guid.CreateVersion7()}/history");

        Assert.Equal([4L, 3, 2, 1], history.Select(h => h.Version));
        Assert.Equal([true, false, false, false], history.Select(h => h.Deleted));
        Assert.Equal(["History v3", "History v3", "History v2", "History v1"], history.Select(h => h.Title));
        Assert.Equal([third.Revision, second.Revision, created.Revision], history.Skip(1).Select(h => h.Revision));
        Assert.All(history, h => Assert.Equal(siteId, h.SiteId));
        Assert.True(history[0].UpdatedAt >= third.UpdatedAt);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
