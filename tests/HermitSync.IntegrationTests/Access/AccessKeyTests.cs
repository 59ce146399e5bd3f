using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Access;

/// <summary>
/// Nobody reaches the notes without the site's access key: browsers by the cookie the Notes link
/// sets, scripts by a bearer token. The API and the exporter answer only the AppHost's internal
/// credential. Rotating the key locks out the old key and every browser that used it.
/// </summary>
[Collection(SingleSiteCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class AccessKeyTests(StackFixture stack)
{
    private static readonly string[] Pages = ["/", "/?q=x", "/Notes/New", $"/Notes/{Guid.NewGuid()}", "/Trash", $"/Notes/{Guid.NewGuid()}/History", "/Sync", "/Cluster", "/Error", "/no-such-page"];

    [Fact]
    public async Task Without_the_key_the_api_answers_401_problem_details()
    {
        foreach (var key in new[] { null, "not-the-key", stack.InternalKey })
        {
            using var web = Anonymous(SiteResource.Web, key);
            foreach (var path in new[] { "/api/notes", "/api/cluster", "/api/sync/pairing", "/openapi/v1.json" })
            {
                using var response = await web.GetAsync(path);
                Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{path} with {(key is null ? "no key" : "a wrong key")}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
            }
        }
    }

    [Fact]
    public async Task Without_the_key_every_page_leads_to_the_hint_and_shows_nothing_else()
    {
        using var web = Anonymous(SiteResource.Web);
        using var owner = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(owner, "Secret plans", "nobody else reads this");

        foreach (var path in Pages.Append($"/Notes/{note.Id}"))
        {
            using var response = await web.GetAsync(path);
            Assert.True(HttpStatusCode.Redirect == response.StatusCode, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("/login", response.Headers.Location?.OriginalString);
        }
        using var hint = await web.GetAsync("/login");
        var page = await hint.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, hint.StatusCode);
        Assert.Contains("Open the link <code>hermit</code> printed", page);
        Assert.DoesNotContain("Secret plans", page);
        Assert.DoesNotContain("New note", page);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/site.css")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/health")).StatusCode);
    }

    [Fact]
    public async Task With_the_key_as_a_bearer_token_pages_and_the_api_work()
    {
        using var web = Anonymous(SiteResource.Web, stack.Site().AccessKey());

        using var created = await web.PostAsJsonAsync("/api/notes", new { title = "From a script", body = "curl works" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/api/notes")).StatusCode);
        Assert.Contains("From a script", await web.GetStringAsync("/"));
    }

    [Fact]
    public async Task The_link_sets_a_long_lived_http_only_strict_cookie_and_leads_to_a_clean_address()
    {
        var cookies = new CookieContainer();
        using var browser = Anonymous(SiteResource.Web, key: null, cookies);

        using var login = await browser.GetAsync(stack.NotesLink().PathAndQuery);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        Assert.Contains("no-store", login.Headers.CacheControl?.ToString());
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.True(MaxAge(setCookie) >= TimeSpan.FromDays(365), setCookie);
        Assert.DoesNotContain(stack.Site().AccessKey(), setCookie);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/notes")).StatusCode);
    }

    [Fact]
    public async Task A_wrong_link_shows_the_hint_and_lets_nobody_in()
    {
        var cookies = new CookieContainer();
        using var browser = Anonymous(SiteResource.Web, key: null, cookies);

        using var login = await browser.GetAsync($"/login?t={new string('0', 64)}");

        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        Assert.Contains("no longer", await login.Content.ReadAsStringAsync());
        Assert.DoesNotContain(login.Headers.TryGetValues("Set-Cookie", out var set) ? set : [], cookie => cookie.StartsWith("hermit-access", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task The_api_and_the_exporter_answer_only_the_internal_credential_apart_from_their_health()
    {
        var protectedPaths = new[] { (SiteResource.Api, "/api/notes"), (SiteResource.Api, "/openapi/v1.json"), (SiteResource.Exporter, "/pairing") };
        foreach (var key in new[] { null, stack.Site().AccessKey(), stack.InternalKey[..^1] })
        {
            foreach (var (service, path) in protectedPaths)
            {
                using var http = Anonymous(service, key);
                using var response = await http.GetAsync(path);
                Assert.True(HttpStatusCode.Unauthorized == response.StatusCode, $"{service} {path}: {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
            using var exporter = Anonymous(SiteResource.Exporter, key);
            Assert.Equal(HttpStatusCode.Unauthorized, (await exporter.PostAsync("/sync/export-now", null)).StatusCode);
        }
        foreach (var service in new[] { SiteResource.Api, SiteResource.Exporter, SiteResource.Web })
        {
            using var http = Anonymous(service);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        }
        foreach (var (service, path) in protectedPaths)
        {
            using var http = stack.Client(service);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task The_dashboards_export_now_command_still_reaches_the_exporter()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync(stack.Name("", SiteResource.Exporter), "export-now", timeout.Token);

        Assert.True(result.Success, result.Message);
    }

    [Fact]
    public async Task The_openapi_document_tells_scripts_to_send_the_key_as_a_bearer_token()
    {
        using var web = stack.WebBrowserClient();

        var document = await web.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("accessKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(document.GetProperty("security")[0].TryGetProperty("accessKey", out _));
        Assert.Contains("access-token", document.GetProperty("info").GetProperty("description").GetString());
    }

    [Fact]
    public async Task After_a_rotation_the_old_key_and_cookie_are_refused_and_the_new_link_works()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var oldKey = stack.Site().AccessKey();
        var oldCookies = new CookieContainer();
        using var oldBrowser = Anonymous(SiteResource.Web, key: null, oldCookies);
        Assert.Equal(HttpStatusCode.Redirect, (await oldBrowser.GetAsync(stack.NotesLink().PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await oldBrowser.GetAsync("/")).StatusCode);

        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var rotated = await commands.ExecuteCommandAsync(stack.Name("", SiteResource.Web), "rotate-access-key", timeout.Token);

        Assert.True(rotated.Success, rotated.Message);
        var newKey = stack.Site().AccessKey();
        Assert.NotEqual(oldKey, newKey);
        Assert.DoesNotContain(newKey, rotated.Message ?? "");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stack.Site().AccessTokenFile));
        Assert.Equal("/login", (await oldBrowser.GetAsync("/")).Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldBrowser.GetAsync("/api/notes")).StatusCode);
        using (var oldScript = Anonymous(SiteResource.Web, oldKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await oldScript.GetAsync("/api/notes")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldBrowser.GetAsync($"/login?t={oldKey}")).StatusCode);

        using var newBrowser = Anonymous(SiteResource.Web, key: null, new CookieContainer());
        Assert.Equal(HttpStatusCode.Redirect, (await newBrowser.GetAsync(stack.NotesLink().PathAndQuery)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await newBrowser.GetAsync("/")).StatusCode);
        using var newScript = Anonymous(SiteResource.Web, newKey);
        Assert.Equal(HttpStatusCode.OK, (await newScript.GetAsync("/api/notes")).StatusCode);
    }

    [Fact]
    public async Task No_secret_appears_in_any_log_line()
    {
        // Let in a browser and a script, and call through to the API, the exporter and rqlite, so there is something to leak.
        using (var browser = Anonymous(SiteResource.Web, key: null, new CookieContainer()))
        {
            await browser.GetAsync(stack.NotesLink().PathAndQuery);
            await browser.GetStringAsync("/Sync");
            await browser.GetStringAsync("/Cluster");
        }
        using (var script = stack.WebBrowserClient())
        {
            await Sites.CreateAsync(script, "log probe", "");
            await script.GetStringAsync("/api/sync/pairing");
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        var lines = stack.LogLines.ToArray();
        Assert.True(lines.Length > 50, $"only {lines.Length} log lines were collected");
        foreach (var secret in stack.Secrets.Concat(RqliteUsersTests.Passwords(stack)))
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>A client that presents <paramref name="key"/> as a bearer token, or nothing, and keeps cookies only when given a jar.</summary>
    private HttpClient Anonymous(string service, string? key = null, CookieContainer? cookies = null)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = cookies is not null, CookieContainer = cookies ?? new CookieContainer() })
        {
            BaseAddress = stack.App.GetEndpoint(stack.Name("", service), "http"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return http;
    }

    private static TimeSpan MaxAge(string setCookie) =>
        setCookie.Split(';').Select(part => part.Trim()).FirstOrDefault(part => part.StartsWith("max-age=", StringComparison.OrdinalIgnoreCase)) is { } maxAge
            ? TimeSpan.FromSeconds(long.Parse(maxAge["max-age=".Length..], System.Globalization.CultureInfo.InvariantCulture))
            : TimeSpan.Zero;
}
