using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using HermitSync.IntegrationTests.Browser;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Import;

/// <summary>
/// Imports against the real stack, through the web app's port: two sites that are not paired,
/// so what B holds came from the import and from nothing else.
/// </summary>
public sealed class ImportTests(UnpairedSitesFixture fixture, BrowserSession browser) : IClassFixture<UnpairedSitesFixture>, IClassFixture<BrowserSession>
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task An_export_imported_into_another_site_gives_identical_notes_and_importing_it_again_adds_nothing()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        await Sites.CreateAsync(a, "Groceries", "- eggs\n- milk");
        await Sites.CreateAsync(a, "groceries", "same name but for case");
        await Sites.CreateAsync(a, "  spaced  title: \"quoted\" # hash", "no newline at the end");
        var edited = await Sites.CreateAsync(a, "edited", "first");
        await Sites.EditAsync(a, edited, "edited twice", "crlf\r\nand ünïcödé 🍰\n");
        var photo = await Sites.AttachAsync(a, "photo (1).png", [.. Attachments.AttachmentTests.Pixel, .. Guid.NewGuid().ToByteArray()]);
        await Sites.CreateAsync(a, "with a photo", $"Look:\n\n{photo.Markdown}");
        var zip = await (await a.GetAsync("/api/export")).Content.ReadAsByteArrayAsync();
        var atA = await LiveNotesAsync("a");
        // Another test of this class may have carried some of A's notes to B already.
        var alreadyAtB = (await LiveNotesAsync("b", atA)).Count;

        var first = await ImportAsync(b, zip, "hermit-notes.zip");

        Assert.Equal((ImportStatus.Done, atA.Count, atA.Count - alreadyAtB, alreadyAtB), (first.State, first.Total, first.Imported, first.AlreadyHere));
        Assert.Empty(first.Problems);
        Assert.Equal(atA, await LiveNotesAsync("b", atA));
        // The attachment came with its note, under the same hash, so the note's link is the same.
        using var served = await b.GetAsync(photo.Link);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(photo.Size, (await served.Content.ReadAsByteArrayAsync()).Length);

        var again = await ImportAsync(b, zip, "hermit-notes.zip");

        Assert.Equal((ImportStatus.Done, 0, atA.Count), (again.State, again.Imported, again.AlreadyHere));
        Assert.Equal(atA, await LiveNotesAsync("b", atA));
    }

    [Fact]
    public async Task A_hostile_archive_gets_a_reason_for_each_bad_file_and_its_good_note_still_comes_in()
    {
        using var b = _stack.WebBrowserClient("b");
        var marker = $"hostile-{Guid.NewGuid():N}";
        var zip = Zip(
            ("../../escape.md", Encoding.UTF8.GetBytes("climbs out")),
            ("broken.md", [0x61, 0xC3, 0x28]),
            ("bad-yaml.md", Encoding.UTF8.GetBytes("---\ntitle: [unclosed\n---\nx")),
            ("bomb.md", new byte[16 * 1024 * 1024]),
            ($"{marker}.md", Encoding.UTF8.GetBytes("the good one")));

        var status = await ImportAsync(b, zip, "mixed.zip");

        Assert.Equal((ImportStatus.Done, 1), (status.State, status.Imported));
        Assert.Equal(["../../escape.md", "bad-yaml.md", "bomb.md", "broken.md"], status.Problems.Select(p => p.Item).Order());
        Assert.Contains("zip slip", status.Problems.Single(p => p.Item == "../../escape.md").Reason);
        Assert.Contains("UTF-8", status.Problems.Single(p => p.Item == "broken.md").Reason);
        Assert.Contains("YAML", status.Problems.Single(p => p.Item == "bad-yaml.md").Reason);
        Assert.Contains("more than a note may hold", status.Problems.Single(p => p.Item == "bomb.md").Reason);
        Assert.Contains(await LiveNotesAsync("b"), n => n.Title == marker && n.Body == "the good one");
    }

    [Fact]
    public async Task An_evernote_and_a_joplin_export_come_in_with_their_titles_times_and_text()
    {
        using var b = _stack.WebBrowserClient("b");
        var marker = Guid.NewGuid().ToString("N");
        byte[] photo = [.. Attachments.AttachmentTests.Pixel, .. Guid.NewGuid().ToByteArray()];
        var photoHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(photo));
        var enex = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export4.dtd">
            <en-export export-date="20231105T101010Z" application="Evernote" version="10.64.4">
            <note><title>evernote {marker}</title><created>20190302T081500Z</created><updated>20200415T120000Z</updated><tag>from evernote</tag>
            <content><![CDATA[<?xml version="1.0" encoding="UTF-8" standalone="no"?><!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd"><en-note><div>Hello <b>there</b></div><div><en-media hash="{Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(photo))}" type="image/png"/></div></en-note>]]></content>
            <resource><data encoding="base64">{Convert.ToBase64String(photo)}</data><mime>image/png</mime><resource-attributes><file-name>photo.png</file-name></resource-attributes></resource></note>
            </en-export>
            """;
        var joplinId = Guid.NewGuid();
        var jex = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(jex, leaveOpen: true))
        {
            var (folder, tag) = (Guid.NewGuid(), Guid.NewGuid());
            var item = $"joplin {marker}\n\nfrom Joplin\n\nid: {joplinId:N}\nparent_id: {folder:N}\ncreated_time: 2019-10-21T09:43:46.305Z\nupdated_time: 2019-10-22T10:00:00.000Z\ntype_: 1";
            foreach (var (id, text) in new[]
            {
                (joplinId, item),
                (folder, $"Joplin book {marker}\n\nid: {folder:N}\nparent_id: \ntype_: 2"),
                (tag, $"from joplin\n\nid: {tag:N}\ntype_: 5"),
                (Guid.NewGuid(), $"\n\nid: {Guid.NewGuid():N}\nnote_id: {joplinId:N}\ntag_id: {tag:N}\ntype_: 6"),
            })
            {
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, $"{id:N}.md") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }

        var fromEvernote = await ImportAsync(b, Encoding.UTF8.GetBytes(enex), "My Notes.enex");
        var fromJoplin = await ImportAsync(b, jex.ToArray(), "export.jex");

        Assert.Equal((ImportStatus.Done, 1), (fromEvernote.State, fromEvernote.Imported));
        Assert.Equal((ImportStatus.Done, 1), (fromJoplin.State, fromJoplin.Imported));
        var notes = await LiveNotesAsync("b");
        var evernote = Assert.Single(notes, n => n.Title == $"evernote {marker}");
        Assert.Equal(($"Hello **there**\n\n![photo.png](/attachments/{photoHash})", DateTimeOffset.Parse("2019-03-02T08:15:00Z").ToUnixTimeMilliseconds(), DateTimeOffset.Parse("2020-04-15T12:00:00Z").ToUnixTimeMilliseconds()),
            (evernote.Body, evernote.CreatedAt, evernote.UpdatedAt));
        // Its resource became an attachment, served here.
        Assert.Equal(photo, await b.GetByteArrayAsync($"/attachments/{photoHash}"));
        var joplin = Assert.Single(notes, n => n.Id == joplinId);
        Assert.Equal(($"joplin {marker}", "from Joplin", DateTimeOffset.Parse("2019-10-21T09:43:46.305Z").ToUnixTimeMilliseconds()), (joplin.Title, joplin.Body, joplin.CreatedAt));
        // Imported notes are found by their words, and the search index and label tables hold exactly what the notes say.
        var found = (await b.GetFromJsonAsync<NotePage>($"/api/notes?q={marker}"))!.Items;
        Assert.Equal(new[] { evernote.Id, joplin.Id }.Order(), found.Select(n => n.Id).Order());
        await _stack.Rqlite("b").ExecuteAsync(NoteSql.CheckSearchIndex);
        Assert.Equal(0, await _stack.Rqlite("b").QueryAsync(OrganizationSql.LabelMismatches));
        // Tags come in; an Evernote note goes into the notebook its file is named after, a Joplin note into its own.
        var notebooks = (await b.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!;
        var evernoteLabels = (await b.GetFromJsonAsync<Note>($"/api/notes/{evernote.Id}"))!.Labels;
        Assert.Equal(["from evernote"], evernoteLabels.Tags);
        Assert.Equal("My Notes", Assert.Single(notebooks, n => n.Id == evernoteLabels.NotebookId).Name);
        var joplinLabels = (await b.GetFromJsonAsync<Note>($"/api/notes/{joplin.Id}"))!.Labels;
        Assert.Equal(["from joplin"], joplinLabels.Tags);
        Assert.Equal($"Joplin book {marker}", Assert.Single(notebooks, n => n.Id == joplinLabels.NotebookId).Name);
    }

    [Fact]
    public async Task Tags_notebooks_and_pins_travel_through_an_export_and_importing_it_again_brings_back_no_tag_removed_since()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var marker = $"k{Guid.NewGuid():N}"[..10];
        var kitchen = (await (await a.PostAsJsonAsync("/api/notebooks", new { name = $"Kitchen {marker}" })).Content.ReadFromJsonAsync<IdOnly>())!.Id;
        var lists = (await (await a.PostAsJsonAsync("/api/notebooks", new { name = "Lists", parentId = kitchen })).Content.ReadFromJsonAsync<IdOnly>())!.Id;
        var note = await Sites.CreateAsync(a, $"Shopping {marker}", "- flour");
        (await a.PutAsJsonAsync($"/api/notes/{note.Id}/labels", new { notebookId = lists, pinned = true, tags = new[] { "food", marker } })).EnsureSuccessStatusCode();
        var zip = await (await a.GetAsync("/api/export")).Content.ReadAsByteArrayAsync();
        using (var archive = new ZipArchive(new MemoryStream(zip)))
        {
            Assert.Contains(archive.Entries, e => e.FullName == $"Kitchen {marker}/Lists/Shopping {marker}.md");
        }

        await ImportAsync(b, zip, "hermit-notes.zip");

        var atB = (await b.GetFromJsonAsync<Note>($"/api/notes/{note.Id}"))!.Labels;
        Assert.True(atB.Pinned);
        Assert.Equal(new[] { "food", marker }.Order(), atB.Tags.Order());
        var notebooks = (await b.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!;
        var listsAtB = Assert.Single(notebooks, n => n.Id == atB.NotebookId);
        Assert.Equal(("Lists", $"Kitchen {marker}"), (listsAtB.Name, Assert.Single(notebooks, n => n.Id == listsAtB.ParentId).Name));

        (await b.PutAsJsonAsync($"/api/notes/{note.Id}/labels", new { tags = new[] { marker } })).EnsureSuccessStatusCode();
        await ImportAsync(b, zip, "hermit-notes.zip");

        Assert.Equal([marker], (await b.GetFromJsonAsync<Note>($"/api/notes/{note.Id}"))!.Labels.Tags);
        Assert.Single((await b.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!, n => n.Name == $"Kitchen {marker}");
    }

    private sealed record IdOnly(string Id);

    [Fact]
    public async Task What_is_not_an_import_is_refused_with_a_reason()
    {
        using var b = _stack.WebBrowserClient("b");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(b, [1, 2, 3], "notes.exe", "application/octet-stream")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(b, [1, 2, 3], null, "application/octet-stream")).StatusCode);
        // What a page on another site could make a browser send unasked.
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(b, [1, 2, 3], "notes.zip", "text/plain")).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(b, [1, 2, 3], "notes.zip", "multipart/form-data; boundary=x")).StatusCode);

        var notZip = await ImportAsync(b, Encoding.UTF8.GetBytes("just some text"), "notes.zip");
        Assert.Equal(ImportStatus.Failed, notZip.State);
        Assert.Contains("not a zip archive", notZip.Error);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/api/imports/{Guid.NewGuid()}")).StatusCode);
    }

    [Fact]
    public async Task In_the_browser_an_export_downloaded_at_A_is_imported_at_B_and_its_notes_open_there()
    {
        using var a = _stack.WebBrowserClient("a");
        var title = $"Carried over {Guid.NewGuid():N}"[..24];
        var note = await Sites.CreateAsync(a, title, "Moved by **zip**.");
        var zip = Path.Combine(Path.GetTempPath(), $"hermit-export-{Guid.NewGuid():N}.zip");
        try
        {
            await browser.RunAsync("export", _stack.NotesLink("a"), async page =>
            {
                await page.GotoAsync("/");
                var download = await page.RunAndWaitForDownloadAsync(() =>
                    page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Export" }).ClickAsync());
                Assert.Matches(@"^hermit-notes-\d{4}-\d{2}-\d{2}\.zip$", download.SuggestedFilename);
                await download.SaveAsAsync(zip);
            });

            await browser.RunAsync("import", _stack.NotesLink("b"), async page =>
            {
                await page.GotoAsync("/");
                await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Import" }).ClickAsync();
                await page.GetByLabel("A zip of Markdown files").SetInputFilesAsync(zip);
                await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
                await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Import/[0-9a-f-]{36}$"));
                await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Done.", new() { Timeout = 60_000 });
                await Expect(page.Locator("#import-status")).ToContainTextAsync("0 not imported");
                await BrowserSession.ScreenshotAsync(page, "import-done");

                await page.GotoAsync($"/Notes/{note.Id}");
                await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
                await Expect(page.Locator(".markdown strong")).ToHaveTextAsync("zip");
            });
        }
        finally
        {
            File.Delete(zip);
        }
    }

    [Fact]
    public async Task The_web_form_uploads_a_file_and_its_page_shows_the_import_to_the_end()
    {
        using var b = _stack.WebBrowserClient("b");
        var marker = $"web-{Guid.NewGuid():N}";
        var zip = Zip(($"{marker}.md", Encoding.UTF8.GetBytes("from the form")), ("broken.md", [0xC3, 0x28]));
        var page = await b.GetStringAsync("/Import");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(WebForm.Token(page)), "__RequestVerificationToken" },
            { new ByteArrayContent(zip) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } }, "Upload", "notes.zip" },
        };

        using var posted = await b.PostAsync("/Import", form);

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        var statusPage = posted.Headers.Location!.ToString();
        Assert.Matches("^/Import/[0-9a-f-]{36}$", statusPage);
        var done = await Sites.EventuallyAsync(async () => await b.GetStringAsync(statusPage) is var html && html.Contains("Done.") ? html : null,
            "the import's page never said it was done", TimeSpan.FromSeconds(60));
        Assert.Contains("1 imported, 0 already here, 1 not imported", done);
        Assert.Contains("not valid UTF-8", done);
        Assert.Contains(await LiveNotesAsync("b"), n => n.Title == marker && n.Body == "from the form");
    }

    /// <summary>Posts the file and follows its import to the end.</summary>
    private static async Task<ImportStatus> ImportAsync(HttpClient site, byte[] file, string name)
    {
        using var started = await PostAsync(site, file, name, "application/octet-stream");
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var location = started.Headers.Location!;
        return await Sites.EventuallyAsync(
            async () => await site.GetFromJsonAsync<ImportStatus>(location) is { State: ImportStatus.Done or ImportStatus.Failed } done ? done : null,
            $"the import of {name} did not end", TimeSpan.FromSeconds(60));
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient site, byte[] file, string? name, string contentType)
    {
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return await site.PostAsync(name is null ? "/api/imports" : $"/api/imports?name={Uri.EscapeDataString(name)}", content);
    }

    /// <summary>A site's live notes as the user sees them, in id order; only those <paramref name="among"/> when given.</summary>
    private async Task<IReadOnlyList<(Guid Id, string Title, string Body, long CreatedAt, long UpdatedAt)>> LiveNotesAsync(
        string site, IEnumerable<(Guid Id, string Title, string Body, long CreatedAt, long UpdatedAt)>? among = null)
    {
        var ids = among?.Select(n => n.Id).ToHashSet();
        return (await _stack.Rqlite(site).QueryAsync(NoteSql.All, ReadConsistency.Strong))
            .Where(n => !n.Deleted && (ids is null || ids.Contains(n.Id))).Select(n => (n.Id, n.Title, n.Body, n.CreatedAt, n.UpdatedAt)).ToArray();
    }

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        return zip.ToArray();
    }
}
