using System.Net;
using System.Net.Http.Json;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Undo;

/// <summary>The Trash against the real stack: what a delete puts there, and a restore that is a new revision on top of the delete.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class TrashTests(StackFixture stack)
{
    [Fact]
    public async Task Deleted_notes_are_listed_latest_deleted_first_with_when_and_on_which_site_across_pages()
    {
        using var api = stack.WebBrowserClient();
        var siteId = await Sites.SiteIdAsync(api);
        var marker = $"trash-{Guid.NewGuid():N}";
        var first = await Sites.CreateAsync(api, $"{marker} first", "deleted first");
        var second = await Sites.CreateAsync(api, $"{marker} second", "deleted second");
        var kept = await Sites.CreateAsync(api, $"{marker} kept", "never deleted");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await UndoApi.DeleteAsync(api, first);
        await UndoApi.DeleteAsync(api, second);

        // One note a page, so these two are on different pages and only the cursors reach both.
        var (trash, pages) = await UndoApi.TrashAsync(api, limit: 1);

        var ours = trash.Where(n => n.Title.StartsWith(marker, StringComparison.Ordinal)).ToArray();
        Assert.Equal([second.Id, first.Id], ours.Select(n => n.Id));
        Assert.Equal(trash.Count, pages);
        Assert.Equal(trash.Count, trash.Select(n => n.Id).Distinct().Count());
        Assert.All(ours, n => Assert.Equal(siteId, n.SiteId));
        Assert.All(ours, n => Assert.InRange(n.DeletedAt, before, DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.True(ours[0].DeletedAt >= ours[1].DeletedAt);
        Assert.Equal(("deleted second", 2L), (ours[0].Excerpt, ours[0].Version));
        Assert.DoesNotContain(trash, n => n.Id == kept.Id);
        var tombstone = (await stack.Rqlite().QueryAsync(NoteSql.Find(second.Id), ReadConsistency.Strong))!;
        Assert.Equal(new RevisionId(tombstone.Hlc, tombstone.SiteId).ToString(), ours[0].Revision);
    }

    [Fact]
    public async Task A_page_request_the_api_did_not_issue_is_a_400_problem()
    {
        using var api = stack.WebBrowserClient();

        foreach (var query in new[] { "limit=0", "limit=201", "cursor=not-a-cursor" })
        {
            using var response = await api.GetAsync($"/api/trash?{query}");
            Assert.True(HttpStatusCode.BadRequest == response.StatusCode, $"{query}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_restore_brings_the_note_back_as_a_new_revision_on_top_of_the_delete_and_a_stale_restore_is_412()
    {
        using var api = stack.WebBrowserClient();
        var created = await Sites.CreateAsync(api, "Restore me", "first");
        var edited = await Sites.EditAsync(api, created, "Restore me", "as it was deleted");
        await UndoApi.DeleteAsync(api, edited);
        var inTrash = Assert.Single((await UndoApi.TrashAsync(api)).Items, n => n.Id == created.Id);

        using var withoutIfMatch = await UndoApi.RestoreAsync(api, created.Id, ifMatch: null);
        using var unknown = await UndoApi.RestoreAsync(api, Guid.CreateVersion7(), "*");
        using var restored = await UndoApi.RestoreAsync(api, created.Id, $"\"{inTrash.Revision}\"");
        using var stale = await UndoApi.RestoreAsync(api, created.Id, $"\"{inTrash.Revision}\"");

        Assert.Equal(HttpStatusCode.PreconditionRequired, withoutIfMatch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var note = (await restored.Content.ReadFromJsonAsync<Note>())!;
        Assert.Equal(note.ETag, restored.Headers.ETag?.ToString());
        Assert.Equal(("Restore me", "as it was deleted", 4L), (note.Title, note.Body, note.Version));
        Assert.Equal(note, await Sites.GetAsync(api, note));
        var history = (await UndoApi.HistoryAsync(api, created.Id)).Items;
        Assert.Equal([note.Revision, inTrash.Revision, edited.Revision, created.Revision], history.Select(h => h.Revision));
        Assert.Equal([false, true, false, false], history.Select(h => h.Deleted));
        Assert.DoesNotContain((await UndoApi.TrashAsync(api)).Items, n => n.Id == created.Id);

        await UndoApi.AssertStaleAsync(stale, note);
        Assert.Equal(4, (await UndoApi.HistoryAsync(api, created.Id)).Items.Count);
    }

    [Fact]
    public async Task The_trash_page_restores_a_note_and_explains_a_restore_from_a_page_loaded_before_it_changed()
    {
        using var browser = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(browser, $"Trash page {Guid.NewGuid():N}", "from the trash page");
        await UndoApi.DeleteAsync(browser, note);
        var inTrash = Assert.Single((await UndoApi.TrashAsync(browser)).Items, n => n.Id == note.Id);
        var trashPage = await browser.GetStringAsync("/Trash");
        Assert.Contains(note.Title, WebUtility.HtmlDecode(trashPage));
        var fields = new Dictionary<string, string> { ["id"] = note.Id.ToString(), ["basedOn"] = inTrash.Revision };

        using var restored = await WebForm.SubmitFromAsync(browser, "/Trash?handler=Restore", trashPage, fields);
        Assert.Equal(HttpStatusCode.Redirect, restored.StatusCode);
        Assert.Equal($"/Notes/{note.Id}", restored.Headers.Location?.OriginalString);
        Assert.Contains($"Restored “{note.Title}” (version 3)", await PageTextAsync(browser, restored.Headers.Location!.OriginalString));

        // The same form again, from the page as it was loaded, as a tab still showing the note in the Trash sends it.
        using var stale = await WebForm.SubmitFromAsync(browser, "/Trash?handler=Restore", trashPage, fields);
        Assert.Equal(HttpStatusCode.Redirect, stale.StatusCode);
        Assert.Equal("/Trash", stale.Headers.Location?.OriginalString);
        Assert.Contains($"“{note.Title}” changed after this page was loaded", await PageTextAsync(browser, "/Trash"));
        Assert.Equal(3L, (await Sites.GetAsync(browser, note)).Version);
    }

    /// <summary>A page's HTML with its character references read, as a person sees the text.</summary>
    private static async Task<string> PageTextAsync(HttpClient browser, string path) => WebUtility.HtmlDecode(await browser.GetStringAsync(path));
}
