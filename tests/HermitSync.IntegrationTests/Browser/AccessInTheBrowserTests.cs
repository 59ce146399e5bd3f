using HermitSync.IntegrationTests.Stack;
using HermitSync.Testing;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>In Chromium: without the Notes link a browser sees only where to find it; the link lets it in for good, and leaves no key in sight.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class AccessInTheBrowserTests(StackFixture stack, BrowserSession browser) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Without_the_link_the_page_says_where_it_is_and_the_link_lets_the_browser_in()
    {
        var link = stack.NotesLink();
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = link.GetLeftPart(UriPartial.Authority) });
        context.SetDefaultTimeout(15_000);
        var problems = new PageProblems(context);
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/Notes/New");
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Open the link hermit printed");
            await Expect(page.GetByRole(AriaRole.Navigation)).ToHaveCountAsync(0);
            await BrowserSession.ScreenshotAsync(page, "login-hint");

            await page.GotoAsync(link.ToString());

            await Expect(page).ToHaveURLAsync(link.GetLeftPart(UriPartial.Authority) + "/");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "New note" })).ToBeVisibleAsync();
            var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name.StartsWith("hermit-access-", StringComparison.Ordinal));
            Assert.True(cookie.HttpOnly);
            Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
            Assert.True(DateTimeOffset.FromUnixTimeSeconds((long)cookie.Expires) > DateTimeOffset.UtcNow.AddDays(365));
            Assert.NotEqual(stack.Site().AccessKey(), cookie.Value);
            Assert.DoesNotContain("hermit-access", await page.EvaluateAsync<string>("() => document.cookie"));
            problems.AssertNone();
        }
        finally
        {
            await BrowserSession.ScreenshotAsync(page, "login-link");
        }
    }
}
