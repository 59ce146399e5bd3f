using System.Text.RegularExpressions;
using HermitSync.IntegrationTests.Stack;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>Undoing in a real browser: the Trash and its restore, and an old version opened, compared and restored.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class UndoInTheBrowserTests(StackFixture stack, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private Uri Site => stack.NotesLink();

    [Fact]
    public Task A_deleted_note_is_found_in_the_trash_and_restored() =>
        browser.RunAsync("trash-restore", Site, async page =>
        {
            var title = $"Trip plan {Guid.NewGuid():N}"[..20];
            var id = await NotesInTheBrowserTests.CreateAsync(page, title, "Pack the **tent**.");
            await page.GetByRole(AriaRole.Link, new() { Name = "Delete…" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Note moved to the Trash.");

            await page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = "Trash" }).ClickAsync();
            var entry = page.Locator(".trash li").Filter(new() { HasText = title });
            await Expect(entry).ToHaveCountAsync(1);
            await Expect(page.Locator(".trash li").First).ToContainTextAsync(title);
            await Expect(entry.Locator(".meta")).ToContainTextAsync(new Regex(@"deleted \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC on site [0-9a-f]{8}"));
            await BrowserSession.ScreenshotAsync(page, "trash");

            await entry.GetByRole(AriaRole.Button, new() { Name = $"Restore “{title}”" }).ClickAsync();
            await Expect(page).ToHaveURLAsync(new Regex($"/Notes/{id}$"));
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Restored “{title}” (version 3)");
            await Expect(page.Locator(".markdown strong")).ToHaveTextAsync("tent");
            await Expect(page.Locator(".history li")).ToHaveCountAsync(3);
            await Expect(page.Locator(".history li").Nth(1)).ToContainTextAsync("deleted");

            await page.GotoAsync("/Trash");
            await Expect(page.Locator(".trash li").Filter(new() { HasText = title })).ToHaveCountAsync(0);
        });

    [Fact]
    public Task An_old_version_is_opened_compared_and_restored_and_a_stale_restore_is_explained() =>
        browser.RunAsync("history-restore", Site, async first =>
        {
            var id = await NotesInTheBrowserTests.CreateAsync(first, "Birds seen", "Saw a **heron**.\nBy the canal.");
            await first.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
            await first.GetByLabel("Body").FillAsync("Saw a kingfisher.\nBy the canal.");
            await first.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(first.GetByRole(AriaRole.Status)).ToContainTextAsync("version 2");

            // The oldest entry of the history is the first version.
            await first.Locator(".history li").Last.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(first.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Birds seen");
            await Expect(first.Locator(".note-header .meta").First).ToContainTextAsync("Version 1 of this note");
            await Expect(first.Locator(".markdown strong")).ToHaveTextAsync("heron");
            await Expect(first.Locator(".diff .inserted")).ToHaveTextAsync("+ Saw a **heron**.");
            await Expect(first.Locator(".diff .deleted")).ToHaveTextAsync("− Saw a kingfisher.");
            await Expect(first.Locator(".diff .unchanged")).ToHaveTextAsync(new Regex("By the canal"));
            await BrowserSession.ScreenshotAsync(first, "revision");

            // A second tab on the same version, loaded before the first restores it.
            var second = await first.Context.NewPageAsync();
            await second.GotoAsync(first.Url);
            await first.GetByRole(AriaRole.Button, new() { Name = "Restore this version" }).ClickAsync();
            await Expect(first).ToHaveURLAsync(new Regex($"/Notes/{id}$"));
            await Expect(first.GetByRole(AriaRole.Status)).ToContainTextAsync("Restored “Birds seen” as version 3");
            await Expect(first.Locator(".markdown strong")).ToHaveTextAsync("heron");

            await second.GetByRole(AriaRole.Button, new() { Name = "Restore this version" }).ClickAsync();
            await Expect(second.GetByRole(AriaRole.Alert)).ToContainTextAsync("The note changed while you were looking");
            await Expect(second.GetByRole(AriaRole.Alert)).ToContainTextAsync("Version 3 was saved");
            await Expect(second.Locator(".comparison")).ToContainTextAsync("The body is the same as the current version's.");
            await first.ReloadAsync();
            await Expect(first.Locator(".history li")).ToHaveCountAsync(3);
        });
}
