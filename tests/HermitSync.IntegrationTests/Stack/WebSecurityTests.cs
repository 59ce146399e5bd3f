using System.Net;
using System.Text.RegularExpressions;
using HermitSync.IntegrationTests.Sync;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>
/// What a browser page on another origin meets: each service answers only to loopback names
/// (DNS rebinding gets a 400), and every page of the web app carries its security headers.
/// </summary>
[Collection(SingleSiteCollection.Name)]
public sealed partial class WebSecurityTests(StackFixture stack)
{
    private const string PagePolicy = "default-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private const string NothingPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static TheoryData<string, string> Services => new()
    {
        { "web", "/" },
        { "web", "/api/notes" },
        { "api", "/api/notes" },
        { "api", "/alive" },
        { "exporter", "/alive" },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_request_for_another_host_name_gets_a_400(string service, string path)
    {
        using var http = Client(service);

        foreach (var host in new[] { "evil.example", $"rebound.evil.example:{http.BaseAddress!.Port}", "localhost.evil.example" })
        {
            Assert.Equal(HttpStatusCode.BadRequest, await StatusAsync(http, path, host));
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Loopback_names_still_work(string service, string path)
    {
        using var http = Client(service);
        var port = http.BaseAddress!.Port;

        foreach (var host in new[] { $"localhost:{port}", $"127.0.0.1:{port}", $"[::1]:{port}", "localhost" })
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(http, path, host));
        }
    }

    [Fact]
    public async Task The_services_still_reach_each_other_through_service_discovery()
    {
        using var web = stack.WebBrowserClient();

        // web -> api (typed client and YARP), api -> exporter (pairing), each with the Host service discovery sends.
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/api/notes")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/api/sync/pairing")).StatusCode);
        Assert.DoesNotContain("not answering", await web.GetStringAsync("/Sync"));
    }

    [Fact]
    public async Task Every_page_of_the_web_app_carries_the_security_headers_and_no_inline_script_or_style()
    {
        using var web = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(web, "Headers", "Some *text*");
        var id = note.Id;

        var pages = new Dictionary<string, HttpStatusCode>
        {
            ["/"] = HttpStatusCode.OK,
            ["/?q=text"] = HttpStatusCode.OK,
            ["/Notes/New"] = HttpStatusCode.OK,
            [$"/Notes/{id}"] = HttpStatusCode.OK,
            [$"/Notes/Edit/{id}"] = HttpStatusCode.OK,
            [$"/Notes/Delete/{id}"] = HttpStatusCode.OK,
            [$"/Notes/Conflicts/{id}"] = HttpStatusCode.OK,
            [$"/Notes/{id}/History"] = HttpStatusCode.OK,
            [$"/Notes/{id}/Revisions/{note.Revision}"] = HttpStatusCode.OK,
            ["/Trash"] = HttpStatusCode.OK,
            ["/Sync"] = HttpStatusCode.OK,
            ["/Cluster"] = HttpStatusCode.OK,
            ["/Error"] = HttpStatusCode.OK,
            [$"/Notes/{Guid.NewGuid()}"] = HttpStatusCode.NotFound,
            [$"/Notes/{Guid.NewGuid()}/History"] = HttpStatusCode.NotFound,
            [$"/Notes/{id}/Revisions/not-a-revision"] = HttpStatusCode.NotFound,
            ["/no-such-page"] = HttpStatusCode.NotFound,
        };
        foreach (var (path, status) in pages)
        {
            using var response = await web.GetAsync(path);
            Assert.True(status == response.StatusCode, $"{path}: {(int)response.StatusCode}");
            AssertSecurityHeaders(response, PagePolicy, path);
            var html = await response.Content.ReadAsStringAsync();
            Assert.False(InlineScript().IsMatch(html), $"{path} has an inline script");
            Assert.False(InlineStyle().IsMatch(html), $"{path} has an inline style");
            Assert.False(InlineHandler().IsMatch(html), $"{path} has an inline event handler");
        }
        foreach (var asset in new[] { "/site.css", "/site.js" })
        {
            using var response = await web.GetAsync(asset);
            AssertSecurityHeaders(response, PagePolicy, asset);
        }
    }

    [Theory]
    [InlineData("api", "/api/notes")]
    [InlineData("api", "/openapi/v1.json")]
    [InlineData("api", "/api/notes/not-a-guid")]
    [InlineData("exporter", "/alive")]
    public async Task The_other_services_answers_carry_headers_that_let_nothing_load(string service, string path)
    {
        using var http = Client(service);

        using var response = await http.GetAsync(path);

        AssertSecurityHeaders(response, NothingPolicy, path);
    }

    private HttpClient Client(string service) => stack.Client(service);

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = host;
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response, string policy, string path)
    {
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var csp), $"{path} has no Content-Security-Policy");
        Assert.Equal([policy], csp);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
        Assert.Equal(["no-referrer"], response.Headers.GetValues("Referrer-Policy"));
    }

    // A note's text on a page is encoded, so every literal "<" starts a real tag.
    [GeneratedRegex(@"<script(?![^>]*\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style\b|<[^>]*\sstyle\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineStyle();

    [GeneratedRegex(@"<[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineHandler();
}
