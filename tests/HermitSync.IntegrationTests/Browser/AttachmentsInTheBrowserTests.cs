using System.Net.Http.Json;
using System.Security.Cryptography;
using HermitSync.IntegrationTests.Attachments;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>Attaching files in the editor, by picking, pasting and dropping them, and reading them in the note.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class AttachmentsInTheBrowserTests(StackFixture stack, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private Uri Site => stack.NotesLink();

    /// <summary>Hands <paramref name="file"/>'s bytes to the body as a paste (<c>paste</c>) or a drop (<c>drop</c>) would.</summary>
    internal const string Give = """
        ([kind, name, type, base64]) => {
          const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
          const data = new DataTransfer();
          data.items.add(new File([bytes], name, { type }));
          const body = document.getElementById('Input_Body');
          body.dispatchEvent(kind === 'paste'
            ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
            : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
        }
        """;

    [Fact]
    public Task Files_picked_pasted_and_dropped_are_attached_an_image_shows_and_a_file_shows_its_type_and_size() =>
        browser.RunAsync("attachments", Site, async page =>
        {
            var title = $"Trip photos {Guid.NewGuid():N}"[..24];
            var picked = AttachmentTests.Pixel.Concat(RandomNumberGenerator.GetBytes(16)).ToArray();
            var pasted = AttachmentTests.Pixel.Concat(RandomNumberGenerator.GetBytes(16)).ToArray();
            await page.GotoAsync("/Notes/New");
            await page.GetByLabel("Title").FillAsync(title);
            await page.GetByLabel("Body").FillAsync("Day one.");

            await page.Locator("[data-attach-pick]").SetInputFilesAsync(new FilePayload { Name = "picked.png", MimeType = "image/png", Buffer = picked });
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Attached picked.png.");
            await page.EvaluateAsync(Give, new[] { "paste", "image.png", "image/png", Convert.ToBase64String(pasted) });
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Attached image.png.");
            await page.EvaluateAsync(Give, new[] { "drop", "itinerary.pdf", "application/pdf", Convert.ToBase64String("%PDF-1.4 itinerary"u8.ToArray()) });
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Attached itinerary.pdf.");
            await Expect(page.GetByLabel("Body")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(
                @"^Day one\.\n!\[picked\.png\]\(/attachments/[0-9a-f]{64}\)\n!\[image\.png\]\(/attachments/[0-9a-f]{64}\)\n\[itinerary\.pdf\]\(/attachments/[0-9a-f]{64}\)\n$"));
            await BrowserSession.ScreenshotAsync(page, "attachments-editor");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

            await Expect(page.Locator(".markdown img")).ToHaveCountAsync(2);
            foreach (var image in await page.Locator(".markdown img").AllAsync())
            {
                await Expect(image).ToHaveJSPropertyAsync("naturalWidth", 1);
            }
            await Expect(page.Locator(".markdown a", new() { HasText = "itinerary.pdf" })).ToBeVisibleAsync();
            await Expect(page.Locator(".markdown small")).ToHaveTextAsync(" (application/pdf, 18 bytes)");
        });

    [Fact]
    public Task A_file_over_the_limit_is_refused_in_the_page_with_the_limit() =>
        browser.RunAsync("attachment-too-large", Site, async page =>
        {
            await page.GotoAsync("/Notes/New");
            await page.EvaluateAsync("""
                () => {
                  const max = Number(document.querySelector('[data-attach-to]').dataset.maxBytes);
                  const data = new DataTransfer();
                  data.items.add(new File([new Uint8Array(max + 1)], 'huge.bin'));
                  document.getElementById('Input_Body').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
                }
                """);

            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("huge.bin is not attached: it is larger than 50 MB, the most one attachment may be.");
            await Expect(page.GetByLabel("Body")).ToHaveValueAsync("");
        });

    [Fact]
    public async Task An_image_not_here_yet_shows_a_placeholder_that_becomes_the_image_when_it_lands()
    {
        using var web = stack.WebBrowserClient();
        var content = AttachmentTests.Pixel.Concat(RandomNumberGenerator.GetBytes(16)).ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(content));
        var note = await Sites.CreateAsync(web, $"Waiting {hash[..8]}", $"![the harbour]({AttachmentLinks.PathOf(hash)})");

        await browser.RunAsync("attachment-pending", Site, async page =>
        {
            await page.GotoAsync($"/Notes/{note.Id}");
            await Expect(page.Locator("[data-attachment-pending]")).ToContainTextAsync("the harbour");
            await Expect(page.Locator(".markdown img")).ToHaveCountAsync(0);

            await Sites.AttachAsync(web, "harbour.png", content);

            await Expect(page.Locator(".markdown img")).ToHaveAttributeAsync("src", AttachmentLinks.PathOf(hash), new() { Timeout = 15_000 });
            await Expect(page.Locator(".markdown img")).ToHaveJSPropertyAsync("naturalWidth", 1);
            await Expect(page.Locator("[data-attachment-pending]")).ToHaveCountAsync(0);
        });
    }
}

/// <summary>An image pasted at one site, seen at the other once Syncthing has carried it.</summary>
[Collection(PairedSitesCollection.Name)]
public sealed class AttachmentsAcrossSitesInTheBrowserTests(PairedSitesFixture fixture, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task An_image_pasted_at_A_shows_at_both_sites()
    {
        var title = $"Pasted {Guid.NewGuid():N}"[..20];
        var image = AttachmentTests.Pixel.Concat(RandomNumberGenerator.GetBytes(16)).ToArray();
        Guid id = default;

        await browser.RunAsync("attachment-site-a", _stack.NotesLink("a"), async page =>
        {
            await page.GotoAsync("/Notes/New");
            await page.GetByLabel("Title").FillAsync(title);
            await page.EvaluateAsync(AttachmentsInTheBrowserTests.Give, new[] { "paste", "image.png", "image/png", Convert.ToBase64String(image) });
            await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Attached image.png.");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
            await Expect(page.Locator(".markdown img")).ToHaveJSPropertyAsync("naturalWidth", 1);
            id = Guid.Parse(page.Url.Split('/')[^1]);
        });

        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var note = (await a.GetFromJsonAsync<Note>($"/api/notes/{id}"))!;
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B");
        await browser.RunAsync("attachment-site-b", _stack.NotesLink("b"), async page =>
        {
            await page.GotoAsync($"/Notes/{id}");
            // A placeholder until the image lands, then the image.
            await Expect(page.Locator(".markdown img")).ToHaveJSPropertyAsync("naturalWidth", 1, new() { Timeout = 60_000 });
        });
    }
}
