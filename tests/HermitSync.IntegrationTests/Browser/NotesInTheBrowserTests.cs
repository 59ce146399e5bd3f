using System.Text.RegularExpressions;
using HermitSync.IntegrationTests.Stack;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>The web app in a real browser: what a person does with notes, by labels and roles as they see them.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class NotesInTheBrowserTests(StackFixture stack, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private Uri Site => stack.NotesLink();

    [Fact]
    public Task A_note_is_created_edited_found_by_search_as_you_type_with_its_words_marked_and_deleted() =>
        browser.RunAsync("notes-crud", Site, async page =>
        {
            var word = $"heron{Guid.NewGuid():N}"[..14];
            await page.GotoAsync("/");
            await page.GetByRole(AriaRole.Link, new() { Name = "New note" }).ClickAsync();
            await page.GetByLabel("Title").FillAsync($"Birdwatching {word}");
            await page.GetByLabel("Body").FillAsync("Saw a **grey heron** by the canal.\n\n- 07:10 arrived\n- 07:45 it flew off");
            await BrowserSession.ScreenshotAsync(page, "editor");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Saved “Birdwatching {word}”");
            await Expect(page.Locator(".markdown strong")).ToHaveTextAsync("grey heron");
            await Expect(page.Locator(".markdown li")).ToHaveCountAsync(2);
            await Expect(page.Locator(".history li")).ToHaveCountAsync(1);

            await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
            await page.GetByLabel("Body").FillAsync("Saw a **grey heron** and a kingfisher.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("version 2");
            await Expect(page.Locator(".history li")).ToHaveCountAsync(2);

            // Search as you type: the list narrows without a submit.
            await page.GetByRole(AriaRole.Link, new() { Name = "Notes", Exact = true }).ClickAsync();
            await page.GetByLabel("Search notes").PressSequentiallyAsync(word, new() { Delay = 30 });
            await Expect(page.Locator("#results li")).ToHaveCountAsync(1);
            await Expect(page.Locator("#results")).ToContainTextAsync("kingfisher");
            await Expect(page).ToHaveURLAsync(new Regex($"q={word}"));
            await BrowserSession.ScreenshotAsync(page, "notes-list");

            // Every word must match, the one being typed by its beginning, and the snippet marks what matched.
            await page.GetByLabel("Search notes").FillAsync($"{word} kingf");
            await Expect(page.Locator("#results mark")).ToHaveTextAsync("kingfisher");
            await page.GetByLabel("Search notes").FillAsync($"{word} heronry");
            await Expect(page.Locator("#results")).ToContainTextAsync("No note matches");
            // A filter it cannot read is explained where the results would be.
            await page.GetByLabel("Search notes").FillAsync($"{word} before:soon");
            await Expect(page.Locator("#results").GetByRole(AriaRole.Alert)).ToContainTextAsync("before:2024-01-31");
            await page.GetByLabel("Search notes").FillAsync(word);

            await page.Locator("#results").GetByRole(AriaRole.Link, new() { Name = $"Birdwatching {word}" }).ClickAsync();
            await page.GetByRole(AriaRole.Link, new() { Name = "Delete…" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await page.GetByLabel("Search notes").FillAsync(word);
            await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
            await Expect(page.Locator("#results")).ToContainTextAsync("No note matches");
        });

    [Fact]
    public Task A_stale_edit_from_a_second_tab_shows_the_conflict_message_and_keeps_the_text() =>
        browser.RunAsync("stale-edit", Site, async first =>
        {
            var id = await CreateAsync(first, "Shared shopping list", "eggs");
            var second = await first.Context.NewPageAsync();
            await first.GotoAsync($"/Notes/Edit/{id}");
            await second.GotoAsync($"/Notes/Edit/{id}");

            await second.GetByLabel("Body").FillAsync("eggs, milk");
            await second.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(second.GetByRole(AriaRole.Status)).ToContainTextAsync("version 2");

            await first.GetByLabel("Body").FillAsync("eggs, bread");
            await first.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(first.GetByRole(AriaRole.Alert)).ToContainTextAsync("This note changed while you were editing it");
            await Expect(first.Locator(".stale .current")).ToContainTextAsync("eggs, milk");
            await Expect(first.GetByLabel("Body")).ToHaveValueAsync("eggs, bread");
        });

    [Fact]
    public Task Markdown_with_a_script_inside_renders_inert() =>
        browser.RunAsync("markdown-script", Site, async page =>
        {
            var dialogs = 0;
            page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
            var id = await CreateAsync(page, "Hostile markdown <b>bold?</b>",
                "# Heading\n\n<script>window.pwned = 1; alert(1)</script>\n\n<img src=x onerror=\"window.pwned = 2\">\n\n[click](javascript:window.pwned=3)\n\n<a href=\"https://example.org\" onclick=\"window.pwned=4\">link</a>");

            await page.GotoAsync($"/Notes/{id}");
            await Expect(page.Locator(".markdown h1")).ToHaveTextAsync("Heading");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Hostile markdown <b>bold?</b>" })).ToBeVisibleAsync();
            Assert.Equal(0, await page.Locator(".markdown script, .markdown [onerror], .markdown [onclick]").CountAsync());
            Assert.DoesNotContain("javascript:", await page.Locator(".markdown").InnerHTMLAsync());
            Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.pwned"));
            Assert.Equal(0, dialogs);
        });

    [Fact]
    public Task Every_page_fits_a_phone_and_every_field_has_a_label() =>
        browser.RunAsync("phone", Site, async page =>
        {
            var id = await CreateAsync(page, "A note with a rather long title to see how it wraps on a small screen", "Some *text*\n\n    and code that is wider than a phone's screen, which must scroll inside its own box");
            await page.SetViewportSizeAsync(375, 740);
            await page.GotoAsync($"/Notes/Edit/{id}");
            await page.GetByLabel("Body").FillAsync("Some *other* text");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await page.WaitForURLAsync(new Regex($"/Notes/{id}$"));
            var firstVersion = await page.Locator(".history li a").Last.GetAttributeAsync("href");
            foreach (var path in new[] { "/", "/Notes/New", $"/Notes/{id}", $"/Notes/Edit/{id}", $"/Notes/{id}/History", firstVersion!, "/Trash", "/Sync", "/Cluster" })
            {
                await page.GotoAsync(path);
                Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways on a phone");
                var unlabelled = await page.EvaluateAsync<string[]>(
                    "() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select')].filter(e => e.labels.length === 0 && !e.getAttribute('aria-label')).map(e => e.name || e.id)");
                Assert.True(unlabelled.Length == 0, $"{path} has fields without a label: {string.Join(", ", unlabelled)}");
            }
        });

    internal static async Task<Guid> CreateAsync(IPage page, string title, string body)
    {
        await page.GotoAsync("/Notes/New");
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Body").FillAsync(body);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await page.WaitForURLAsync(new Regex(@"/Notes/[0-9a-f-]{36}$"));
        return Guid.Parse(page.Url[^36..]);
    }
}
