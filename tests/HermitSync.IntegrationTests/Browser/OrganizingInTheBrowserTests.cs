using System.Text.RegularExpressions;
using HermitSync.IntegrationTests.Stack;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>Notebooks, tags, pins, links and the keyboard in a real browser, as a person organizes notes.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class OrganizingInTheBrowserTests(StackFixture stack, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private Uri Site => stack.NotesLink();

    [Fact]
    public Task Notes_go_into_nested_notebooks_get_tags_and_pins_link_to_each_other_and_the_list_filters_by_them() =>
        browser.RunAsync("organizing", Site, async page =>
        {
            var word = $"w{Guid.NewGuid():N}"[..9];
            await page.GotoAsync("/Notebooks");
            await page.GetByLabel("New notebook").FillAsync($"Garden {word}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Make it" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Made the notebook “Garden {word}”");
            await page.GetByLabel("New notebook").FillAsync($"Roses {word}");
            await page.Locator("#new-parent").SelectOptionAsync(new SelectOptionValue { Label = $"Garden {word}" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Make it" }).ClickAsync();
            await Expect(page.Locator($".tree li.depth-0 input[id^='name-'][value='Garden {word}']")).ToHaveCountAsync(1);
            await Expect(page.Locator($".tree li.depth-1 input[id^='name-'][value='Roses {word}']")).ToHaveCountAsync(1);

            await page.GotoAsync("/Notes/New");
            await page.GetByLabel("Title").FillAsync($"Pruning {word}");
            await page.GetByLabel("Body").FillAsync($"Read [[Rose care {word}]] first.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Saved “Pruning {word}”");

            await page.GetByText("Notebook and tags").ClickAsync();
            await page.GetByLabel("Notebook", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = $"  Roses {word}" });
            await page.GetByLabel("Tags, with commas between them").FillAsync($"garden-{word}, Spring");
            await page.GetByLabel("Pinned").CheckAsync();
            await page.Locator(".labels-form").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved the notebook, tags and pin");
            await Expect(page.Locator(".note-header .labels")).ToContainTextAsync($"Roses {word}");
            await Expect(page.Locator(".note-header .tag")).ToHaveTextAsync([$"garden-{word}", "Spring"]);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unpin" })).ToBeVisibleAsync();

            // A link to a note that does not exist offers to write it, with its title ready.
            await page.Locator(".markdown").GetByRole(AriaRole.Link, new() { Name = $"Rose care {word}" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync($"No note is called “Rose care {word}” yet");
            await page.GetByRole(AriaRole.Link, new() { Name = "Write it" }).ClickAsync();
            await Expect(page.GetByLabel("Title")).ToHaveValueAsync($"Rose care {word}");
            await page.GetByLabel("Body").FillAsync("Water at dawn.");
            await page.GetByLabel("Body").PressAsync("Control+Enter");
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Saved “Rose care {word}”");
            await Expect(page.Locator(".backlinks")).ToContainTextAsync($"Pruning {word}");

            // Now the link leads to the note.
            await page.Locator(".backlinks").GetByRole(AriaRole.Link, new() { Name = $"Pruning {word}" }).ClickAsync();
            await page.Locator(".markdown").GetByRole(AriaRole.Link, new() { Name = $"Rose care {word}" }).ClickAsync();
            await Expect(page.Locator(".note-header h1")).ToHaveTextAsync($"Rose care {word}");

            // Pinned notes come first in the list, though another note was written after. Other
            // tests on this site pin notes too, so only the order of these two is this test's.
            await page.GotoAsync("/");
            var titles = page.Locator("#results li > a strong");
            await Expect(titles.GetByText($"Rose care {word}", new() { Exact = true })).ToHaveCountAsync(1);
            var listed = (await titles.AllInnerTextsAsync()).ToList();
            var pinned = listed.IndexOf($"Pruning {word}");
            var newer = listed.IndexOf($"Rose care {word}");
            Assert.True(pinned >= 0 && pinned < newer, $"the pinned note is at {pinned}, the newer unpinned one at {newer}");

            // The sidebar's notebook holds what its notebooks hold; a tag and the pin filter too.
            await page.Locator(".sidebar").GetByRole(AriaRole.Link, new() { Name = $"Garden {word}" }).ClickAsync();
            await Expect(page.Locator("#results li")).ToHaveCountAsync(1);
            await Expect(page.Locator("#results li")).ToContainTextAsync($"Pruning {word}");
            await page.Locator(".sidebar").GetByRole(AriaRole.Link, new() { Name = $"garden-{word}" }).ClickAsync();
            await Expect(page.Locator("#results li")).ToContainTextAsync($"Pruning {word}");
            await page.GetByLabel("Search notes").FillAsync($"is:pinned Pruning {word}");
            await Expect(page.Locator("#results li .pin")).ToHaveCountAsync(1);

            // Three panes: the note opens beside the list.
            await page.Locator("#results").GetByRole(AriaRole.Link, new() { Name = $"Pruning {word}" }).ClickAsync();
            await Expect(page.Locator("#note-pane h1")).ToContainTextAsync($"Pruning {word}");
            await Expect(page).ToHaveURLAsync(new Regex("open="));
            await Expect(page.Locator(".sidebar")).ToBeVisibleAsync();
            await BrowserSession.ScreenshotAsync(page, "three-panes");

            // The keyboard: ? lists the shortcuts, Esc closes the list, e edits, Esc cancels, / searches, n writes.
            await page.Locator("body").PressAsync("?");
            await Expect(page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("Keyboard shortcuts");
            await page.Keyboard.PressAsync("Escape");
            await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
            await page.Locator("body").PressAsync("e");
            await Expect(page).ToHaveURLAsync(new Regex("/Notes/Edit/"));
            await page.GetByLabel("Body").PressAsync("Escape");
            await Expect(page.Locator(".note-header h1")).ToHaveTextAsync($"Pruning {word}");
            await page.GotoAsync("/");
            await page.Locator("body").PressAsync("/");
            await Expect(page.GetByLabel("Search notes")).ToBeFocusedAsync();
            await page.GetByLabel("Search notes").PressAsync("Escape");
            await page.Locator("body").PressAsync("n");
            await Expect(page).ToHaveURLAsync(new Regex("/Notes/New"));
        });

    [Fact]
    public Task On_a_phone_the_list_and_the_open_note_each_take_the_whole_screen() =>
        browser.RunAsync("phone", Site, async page =>
        {
            var word = $"p{Guid.NewGuid():N}"[..9];
            await page.SetViewportSizeAsync(390, 800);
            await page.GotoAsync("/Notes/New");
            await page.GetByLabel("Title").FillAsync($"On the bus {word}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await page.GotoAsync($"/?q={word}");
            await Expect(page.Locator("#note-pane")).ToBeHiddenAsync();
            await page.Locator("#results").GetByRole(AriaRole.Link, new() { Name = $"On the bus {word}" }).ClickAsync();
            await Expect(page.Locator("#note-pane h1")).ToContainTextAsync($"On the bus {word}");
            await Expect(page.Locator(".sidebar")).ToBeHiddenAsync();
            await Expect(page.Locator("#results")).ToBeHiddenAsync();
            await BrowserSession.ScreenshotAsync(page, "phone-note");
            await page.GetByRole(AriaRole.Link, new() { Name = "← All notes" }).ClickAsync();
            await Expect(page.Locator("#results")).ToBeVisibleAsync();
        });
}
