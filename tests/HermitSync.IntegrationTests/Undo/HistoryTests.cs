using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;

namespace HermitSync.IntegrationTests.Undo;

/// <summary>A note's history against the real stack: paged whole, every revision opened, compared and restored.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed partial class HistoryTests(StackFixture stack)
{
    [Fact]
    public async Task The_history_pages_through_every_revision_and_the_web_pages_link_to_the_rest()
    {
        using var api = stack.WebBrowserClient();
        var revisions = new List<Note> { await Sites.CreateAsync(api, "Long history v1", "") };
        for (var i = 2; i <= 12; i++)
        {
            revisions.Add(await Sites.EditAsync(api, revisions[^1], $"Long history v{i}", ""));
        }

        var (history, pages) = await UndoApi.HistoryAsync(api, revisions[0].Id, limit: 5);
        using var badCursor = await api.GetAsync($"/api/notes/{revisions[0].Id}/history?cursor=garbage");
        using var badLimit = await api.GetAsync($"/api/notes/{revisions[0].Id}/history?limit=0");

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Reverse(revisions).Select(n => n.Revision), history.Select(h => h.Revision));
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);

        // The note's page shows the latest ten and links on; the History page shows the rest.
        var notePage = WebUtility.HtmlDecode(await api.GetStringAsync($"/Notes/{revisions[0].Id}"));
        Assert.DoesNotContain($"/Revisions/{revisions[1].Revision}\"", notePage);
        Assert.Contains($"/Revisions/{revisions[2].Revision}\"", notePage);
        var older = OlderVersionsLink().Match(notePage);
        Assert.True(older.Success, "the note's page does not link to its older versions");
        var olderPage = WebUtility.HtmlDecode(await api.GetStringAsync(older.Groups["url"].Value));
        Assert.Contains($"/Revisions/{revisions[1].Revision}\"", olderPage);
        Assert.Contains($"/Revisions/{revisions[0].Revision}\"", olderPage);
        Assert.DoesNotContain($"/Revisions/{revisions[2].Revision}\"", olderPage);
        Assert.DoesNotContain("Older versions →", olderPage);
    }

    [Fact]
    public async Task A_revision_opens_whole_beside_the_current_version_and_an_unknown_one_is_a_404_problem()
    {
        using var api = stack.WebBrowserClient();
        var first = await Sites.CreateAsync(api, "Opened", "Saw a **heron**.\nIt flew off.");
        var current = await Sites.EditAsync(api, first, "Opened again", "Saw a kingfisher.\nIt flew off.");

        using var response = await api.GetAsync($"/api/notes/{first.Id}/revisions/{first.Revision}");
        using var unknown = await api.GetAsync($"/api/notes/{first.Id}/revisions/{new RevisionId(1, current.SiteId)}");
        using var malformed = await api.GetAsync($"/api/notes/{first.Id}/revisions/not-a-revision");
        var page = WebUtility.HtmlDecode(await api.GetStringAsync($"/Notes/{first.Id}/Revisions/{first.Revision}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(current.ETag, response.Headers.ETag?.ToString());
        var opened = (await response.Content.ReadFromJsonAsync<OpenedRevision>())!;
        Assert.Equal(new NoteVersion(first.Revision, first.SiteId, 1, "Opened", "Saw a **heron**.\nIt flew off.", false, first.UpdatedAt), opened.Revision);
        Assert.Equal(new NoteVersion(current.Revision, current.SiteId, 2, "Opened again", "Saw a kingfisher.\nIt flew off.", false, current.UpdatedAt), opened.Current);
        foreach (var missing in new[] { unknown, malformed })
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        }
        // The page renders this version's Markdown, sanitized, and the line diff against the current one.
        Assert.Contains("<strong>heron</strong>", page);
        Assert.Contains("<span class=\"line inserted\">+ Saw a **heron**.</span>", page);
        Assert.Contains("<span class=\"line deleted\">− Saw a kingfisher.</span>", page);
        Assert.Contains("<span class=\"line unchanged\">  It flew off.</span>", page);
        Assert.Contains("Title: <del>Opened again</del> → <ins>Opened</ins>", page);
    }

    [Fact]
    public async Task An_old_revision_is_restored_as_the_next_version_and_a_stale_restore_is_412()
    {
        using var api = stack.WebBrowserClient();
        var first = await Sites.CreateAsync(api, "Draft title", "first body");
        var second = await Sites.EditAsync(api, first, "Second title", "second body");
        var third = await Sites.EditAsync(api, second, "Third title", "third body");

        using var restored = await UndoApi.RestoreAsync(api, first.Id, third.ETag, first.Revision);
        using var stale = await UndoApi.RestoreAsync(api, first.Id, third.ETag, second.Revision);
        using var unknown = await UndoApi.RestoreAsync(api, first.Id, "*", new RevisionId(1, first.SiteId).ToString());
        using var malformed = await UndoApi.RestoreAsync(api, first.Id, "*", "not-a-revision");

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var note = (await restored.Content.ReadFromJsonAsync<Note>())!;
        Assert.Equal(("Draft title", "first body", 4L), (note.Title, note.Body, note.Version));
        Assert.Equal(note, await Sites.GetAsync(api, note));
        Assert.Equal(note.Revision, (await UndoApi.HistoryAsync(api, first.Id)).Items[0].Revision);
        await UndoApi.AssertStaleAsync(stale, note);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(note, await Sites.GetAsync(api, note));
    }

    [Fact]
    public async Task A_deleted_notes_history_opens_and_an_old_version_brings_it_back()
    {
        using var api = stack.WebBrowserClient();
        var first = await Sites.CreateAsync(api, "Gone", "kept in the history");
        var second = await Sites.EditAsync(api, first, "Gone", "the last words");
        await UndoApi.DeleteAsync(api, second);

        var history = (await UndoApi.HistoryAsync(api, first.Id)).Items;
        var opened = (await api.GetFromJsonAsync<OpenedRevision>($"/api/notes/{first.Id}/revisions/{first.Revision}"))!;
        var historyPage = WebUtility.HtmlDecode(await api.GetStringAsync($"/Notes/{first.Id}/History"));
        var revisionPage = WebUtility.HtmlDecode(await api.GetStringAsync($"/Notes/{first.Id}/Revisions/{first.Revision}"));
        using var restored = await UndoApi.RestoreAsync(api, first.Id, opened.ETag, first.Revision);

        Assert.Equal([3L, 2, 1], history.Select(h => h.Version));
        Assert.True(opened.Current.Deleted);
        Assert.Equal("the last words", opened.Current.Body);
        Assert.Contains("This note is in the <a href=\"/Trash\">Trash</a>.", historyPage);
        Assert.Contains("The note is in the <a href=\"/Trash\">Trash</a>. Restoring this version brings it back.", revisionPage);
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var note = (await restored.Content.ReadFromJsonAsync<Note>())!;
        Assert.Equal(("kept in the history", 4L), (note.Body, note.Version));
        Assert.Equal(note, await Sites.GetAsync(api, note));
    }

    [Fact]
    public async Task The_revision_page_restores_and_explains_a_restore_from_a_page_loaded_before_the_note_changed()
    {
        using var browser = stack.WebBrowserClient();
        var first = await Sites.CreateAsync(browser, "Revision page", "original");
        await Sites.EditAsync(browser, first, "Revision page", "edited");
        var url = $"/Notes/{first.Id}/Revisions/{first.Revision}";
        var loaded = await browser.GetStringAsync(url);
        var meanwhile = await Sites.EditAsync(browser, await Sites.GetAsync(browser, first), "Revision page", "edited again elsewhere");

        using var stale = await WebForm.SubmitFromAsync(browser, $"{url}?handler=Restore", loaded, new Dictionary<string, string>());
        var staleHtml = await stale.Content.ReadAsStringAsync();
        var stalePage = WebUtility.HtmlDecode(staleHtml);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("The note changed while you were looking", stalePage);
        Assert.Contains("nothing was restored", stalePage);
        Assert.Equal(meanwhile, await Sites.GetAsync(browser, first));

        // The page that explained it is based on the current version now, so restoring from it works.
        using var restored = await WebForm.SubmitFromAsync(browser, $"{url}?handler=Restore", staleHtml, new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, restored.StatusCode);
        var note = await Sites.GetAsync(browser, first);
        Assert.Equal(("original", 4L), (note.Body, note.Version));
    }

    [GeneratedRegex("""<a class="more" href="(?<url>/Notes/[0-9a-f-]{36}/History\?cursor=[^"]+)">Older versions →</a>""")]
    private static partial Regex OlderVersionsLink();
}
