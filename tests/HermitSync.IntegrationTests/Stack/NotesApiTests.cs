using System.Net;
using System.Net.Http.Json;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using Microsoft.AspNetCore.Mvc;

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
    public async Task Notebooks_tags_and_pins_filter_the_list_and_deleting_a_notebook_loses_no_note()
    {
        using var api = stack.WebBrowserClient();
        var marker = $"m{Guid.NewGuid():N}"[..12];
        async Task<string> NotebookAsync(string name, string? parentId = null) =>
            (await (await api.PostAsJsonAsync("/api/notebooks", new { name, parentId })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<NotebookCreated>())!.Id;
        async Task<Guid[]> FoundAsync(string q) => [.. (await api.GetFromJsonAsync<NotePage>($"/api/notes?q={Uri.EscapeDataString(q)}"))!.Items.Select(n => n.Id).Order()];
        var work = await NotebookAsync($"Work {marker}");
        var projects = await NotebookAsync($"Projects {marker}", work);
        var inProjects = await Sites.CreateAsync(api, "in projects", "");
        var inWork = await Sites.CreateAsync(api, "in work", "");

        using var labelled = await api.PutAsJsonAsync($"/api/notes/{inProjects.Id}/labels", new { notebookId = projects, pinned = true, tags = new[] { marker, "Second Tag" } });
        (await api.PutAsJsonAsync($"/api/notes/{inWork.Id}/labels", new { notebookId = work, tags = new[] { marker.ToUpperInvariant() } })).EnsureSuccessStatusCode();

        Assert.Equal(new NoteLabels(projects, true, [marker, "Second Tag"]), await labelled.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<NoteLabels>());
        Assert.Equal(new NoteLabels(projects, true, [marker, "Second Tag"]), (await Sites.GetAsync(api, inProjects)).Labels);
        Assert.Equal([inProjects.Id, inWork.Id], await FoundAsync($"notebook:\"Work {marker}\""));
        Assert.Equal([inProjects.Id], await FoundAsync($"notebook:\"projects {marker}\""));
        Assert.Equal([inProjects.Id, inWork.Id], await FoundAsync($"tag:{marker}"));
        Assert.Equal([inProjects.Id], await FoundAsync($"tag:{marker} is:pinned"));
        Assert.Equal([inWork.Id], await FoundAsync($"work tag:{marker}"));
        Assert.Contains((await api.GetFromJsonAsync<TagCount[]>("/api/tags"))!, t => t.Tag.Equals(marker, StringComparison.OrdinalIgnoreCase) && t.Notes == 2);

        // A tag left out is removed; the other labels stay as they are.
        (await api.PutAsJsonAsync($"/api/notes/{inProjects.Id}/labels", new { tags = new[] { marker } })).EnsureSuccessStatusCode();
        Assert.Equal(new NoteLabels(projects, true, [marker]), (await Sites.GetAsync(api, inProjects)).Labels);

        Assert.Equal(HttpStatusCode.BadRequest, (await api.PutAsJsonAsync($"/api/notebooks/{work}", new { parentId = projects })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/notebooks/{projects}")).StatusCode);

        // The deleted notebook's note shows in the one above it, and nothing was deleted with it.
        Assert.Equal([inProjects.Id, inWork.Id], await FoundAsync($"notebook:\"Work {marker}\""));
        Assert.Empty(await FoundAsync($"notebook:\"Projects {marker}\""));
        var notebooks = (await api.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!;
        Assert.DoesNotContain(notebooks, n => n.Id == projects);
        Assert.Equal(2, Assert.Single(notebooks, n => n.Id == work).Notes);
        Assert.Equal(projects, (await Sites.GetAsync(api, inProjects)).Labels.NotebookId);
    }

    [Theory]
    [InlineData("""{"tags":["a,b"]}""", "comma")]
    [InlineData("""{"tags":[""]}""", "cannot be empty")]
    [InlineData("""{"notebookId":"0195e5a1-7c2b-7000-8000-000000000000"}""", "no notebook")]
    public async Task Labels_that_break_the_rules_are_400_with_the_reason(string body, string reason)
    {
        using var api = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(api, "labels refused", "");

        using var response = await api.PutAsync($"/api/notes/{note.Id}/labels", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(NoteLabels.None, (await Sites.GetAsync(api, note)).Labels);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsJsonAsync($"/api/notes/{Guid.CreateVersion7()}/labels", new { pinned = true })).StatusCode);
    }

    private sealed record NotebookCreated(string Id);

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
    public async Task Search_results_page_by_cursor_every_match_once_best_first_with_its_words_marked()
    {
        using var api = stack.WebBrowserClient();
        var marker = $"paged{Guid.NewGuid():N}";
        var originals = new List<Note>();
        for (var i = 0; i < 7; i++)
        {
            originals.Add(await Sites.CreateAsync(api, $"{marker} {i}", $"body of {marker} {i}"));
        }

        var seen = new List<NoteSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            // By its beginning, as a person types it.
            var page = (await api.GetFromJsonAsync<NotePage>($"/api/notes?q={marker[..12]}&limit=3{(cursor is null ? "" : $"&cursor={cursor}")}"))!;
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
            // Notes that do not match may land between pages without shifting what the next page holds.
            await Sites.CreateAsync(api, $"unrelated {pages}", "");
        }
        while (cursor is not null && pages < 10);

        // Equal titles and bodies score the same, so the tie goes to the id, the oldest first.
        Assert.Equal(3, pages);
        Assert.Equal(originals.Select(n => n.Id).OrderBy(id => id.ToString("D"), StringComparer.Ordinal), seen.Select(n => n.Id));
        Assert.All(seen, n => Assert.Equal(marker, Assert.Single(n.Snippet!, p => p.Match).Text));
    }

    [Theory]
    [InlineData("is:archived", "is:pinned")]
    [InlineData("before:soon", "before:2024-01-31")]
    public async Task A_search_it_cannot_read_is_a_400_that_says_why_and_the_page_shows_it(string query, string reason)
    {
        using var api = stack.WebBrowserClient();

        using var response = await api.GetAsync($"/api/notes?q={Uri.EscapeDataString(query)}");
        var page = await api.GetStringAsync($"/?q={Uri.EscapeDataString(query)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Contains(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(reason), page);
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
