using System.Net;
using System.Net.Http.Json;
using System.Text;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;

namespace HermitSync.IntegrationTests.Access;

/// <summary>
/// A page on another site can make a browser POST a form or text/plain to any address, with the
/// browser's cookie. Every endpoint that changes something refuses it: through the web port and
/// straight to the API, and on the web app's own forms. What a script sends still works.
/// </summary>
[Collection(SingleSiteCollection.Name)]
public sealed class CrossSiteRequestTests(StackFixture stack)
{
    /// <summary>A well-formed device ID nobody here is paired with or asked by.</summary>
    private const string Stranger = "MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD";

    public static TheoryData<string> Routes => new() { SiteResource.Web, SiteResource.Api };

    /// <summary>The title every forged request asks for: this test's own, so one test's failure cannot show up in another.</summary>
    private readonly string _forged = $"forged {Guid.NewGuid():N}";

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_cross_site_form_post_to_any_api_endpoint_is_refused_and_changes_nothing(string service)
    {
        using var http = stack.Client(service);
        var note = await NewNoteAsync();

        foreach (var endpoint in ApiEndpoints(note))
        {
            foreach (var (fetchSite, origin) in new[] { ("cross-site", "http://evil.example"), ("same-site", "http://localhost:1"), ((string?)null, "http://evil.example") })
            {
                var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["title"] = _forged, ["deviceId"] = Stranger });
                using var response = await SendAsync(http, HttpMethod.Post, endpoint.Path, form, fetchSite, origin);
                Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{service}: form POST to {endpoint.Path} from {fetchSite ?? origin}: {(int)response.StatusCode}");
            }
        }
        await AssertUnchangedAsync(note);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_text_plain_post_to_any_api_endpoint_is_refused_and_changes_nothing(string service)
    {
        using var http = stack.Client(service);
        var note = await NewNoteAsync();

        foreach (var endpoint in ApiEndpoints(note))
        {
            foreach (var fetchSite in new[] { null, "same-origin", "cross-site" })
            {
                var body = new StringContent(endpoint.Json ?? $$"""{"title":"{{_forged}}","body":""}""", Encoding.UTF8, "text/plain");
                using var response = await SendAsync(http, HttpMethod.Post, endpoint.Path, body, fetchSite, origin: null);
                var expected = fetchSite == "cross-site" ? HttpStatusCode.Forbidden : HttpStatusCode.UnsupportedMediaType;
                Assert.True(expected == response.StatusCode, $"{service}: text/plain POST to {endpoint.Path} ({fetchSite ?? "no Sec-Fetch-Site"}): {(int)response.StatusCode}");
            }
        }
        await AssertUnchangedAsync(note);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_cross_site_put_or_delete_is_refused(string service)
    {
        using var http = stack.Client(service);
        var note = await NewNoteAsync();

        foreach (var endpoint in ApiEndpoints(note).Where(e => e.Method != HttpMethod.Post))
        {
            foreach (var (fetchSite, origin) in new[] { ("cross-site", (string?)null), (null, "http://evil.example") })
            {
                using var response = await SendAsync(http, endpoint.Method, endpoint.Path, Json(endpoint.Json), fetchSite, origin, note.ETag);
                Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{service}: {endpoint.Method} {endpoint.Path} from {fetchSite ?? origin}: {(int)response.StatusCode}");
            }
        }
        await AssertUnchangedAsync(note);
    }

    /// <summary>The control: the same endpoints with JSON, from this origin's page or from a script, do their work.</summary>
    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_same_requests_as_json_from_this_origin_or_a_script_do_their_work(string service)
    {
        using var http = stack.Client(service);
        var note = await NewNoteAsync();
        var origin = http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        var expected = new Dictionary<string, HttpStatusCode>
        {
            ["POST /api/notes"] = HttpStatusCode.Created,
            [$"PUT /api/notes/{note.Id}"] = HttpStatusCode.OK,
            // With If-Match: * and no revision, a restore saves the note as it stands once more.
            [$"POST /api/notes/{note.Id}/restore"] = HttpStatusCode.OK,
            // Pairing checks the device ID: a wrong one is the API's own 400, past every gate.
            ["POST /api/sync/peers"] = HttpStatusCode.BadRequest,
            [$"DELETE /api/sync/peers/{Stranger}"] = HttpStatusCode.NoContent,
            ["POST /api/sync/ignored"] = HttpStatusCode.NotFound,
            [$"DELETE /api/notes/{note.Id}"] = HttpStatusCode.NoContent,
        };

        foreach (var endpoint in ApiEndpoints(note))
        {
            var fromPage = endpoint.Method == HttpMethod.Put;
            var json = endpoint.Path == "/api/sync/peers" ? """{"deviceId":"not-a-device-id"}""" : endpoint.Json?.Replace(_forged, "from a script", StringComparison.Ordinal);
            using var response = await SendAsync(http, endpoint.Method, endpoint.Path, Json(json), fromPage ? "same-origin" : null, fromPage ? origin : null, ifMatch: "*");
            var key = $"{endpoint.Method} {endpoint.Path}";
            Assert.True(expected[key] == response.StatusCode, $"{service}: {key}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_cross_site_post_to_any_web_form_is_refused_even_with_a_valid_token_and_changes_nothing()
    {
        using var browser = stack.WebBrowserClient();
        var note = await NewNoteAsync();
        var token = WebForm.Token(await browser.GetStringAsync("/Notes/New"));

        foreach (var (url, fields) in WebForms(note))
        {
            foreach (var (fetchSite, origin) in new[] { ("cross-site", "http://evil.example"), ((string?)null, "http://evil.example"), ("same-site", (string?)null) })
            {
                var form = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token });
                using var response = await SendAsync(browser, HttpMethod.Post, url, form, fetchSite, origin);
                Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"form POST to {url} from {fetchSite ?? origin}: {(int)response.StatusCode}");
            }
        }
        await AssertUnchangedAsync(note);
    }

    [Fact]
    public async Task A_web_form_post_without_its_antiforgery_token_or_as_text_plain_is_refused_and_changes_nothing()
    {
        using var browser = stack.WebBrowserClient();
        var note = await NewNoteAsync();
        var token = WebForm.Token(await browser.GetStringAsync("/Notes/New"));

        foreach (var (url, fields) in WebForms(note))
        {
            using var untokened = await browser.PostAsync(url, new FormUrlEncodedContent(fields));
            var text = string.Join("\n", fields.Append(new("__RequestVerificationToken", token)).Select(f => $"{f.Key}={f.Value}"));
            using var plain = await browser.PostAsync(url, new StringContent(text, Encoding.UTF8, "text/plain"));

            Assert.True(HttpStatusCode.BadRequest == untokened.StatusCode, $"{url} without a token: {(int)untokened.StatusCode}");
            Assert.True(HttpStatusCode.BadRequest == plain.StatusCode, $"{url} as text/plain: {(int)plain.StatusCode}");
        }
        await AssertUnchangedAsync(note);
        // The control: the same form, with its token, from this origin's page.
        using var saved = await WebForm.SubmitAsync(browser, "/Notes/New", new Dictionary<string, string> { ["Input.Title"] = "with a token", ["Input.Body"] = "" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
    }

    private sealed record Endpoint(HttpMethod Method, string Path, string? Json);

    /// <summary>Every API route that changes something, with a body it would accept as JSON.</summary>
    private IEnumerable<Endpoint> ApiEndpoints(Note note) =>
    [
        new(HttpMethod.Post, "/api/notes", $$"""{"title":"{{_forged}}","body":""}"""),
        new(HttpMethod.Put, $"/api/notes/{note.Id}", $$"""{"title":"{{_forged}}","body":""}"""),
        new(HttpMethod.Post, $"/api/notes/{note.Id}/restore", """{"revision":null}"""),
        new(HttpMethod.Post, "/api/sync/peers", $$"""{"deviceId":"{{Stranger}}"}"""),
        new(HttpMethod.Delete, $"/api/sync/peers/{Stranger}", null),
        new(HttpMethod.Post, "/api/sync/ignored", $$"""{"deviceId":"{{Stranger}}"}"""),
        new(HttpMethod.Delete, $"/api/notes/{note.Id}", null),
    ];

    /// <summary>Every form the web app's pages post, with the fields a person would fill in.</summary>
    private IEnumerable<(string Url, IReadOnlyDictionary<string, string> Fields)> WebForms(Note note) =>
    [
        ("/Notes/New", new Dictionary<string, string> { ["Input.Title"] = _forged, ["Input.Body"] = "" }),
        ($"/Notes/Edit/{note.Id}", new Dictionary<string, string> { ["Input.Title"] = _forged, ["Input.Body"] = "", ["Revision"] = note.Revision }),
        ($"/Notes/Delete/{note.Id}", new Dictionary<string, string> { ["Revision"] = note.Revision }),
        ("/Trash?handler=Restore", new Dictionary<string, string> { ["id"] = note.Id.ToString(), ["basedOn"] = note.Revision }),
        ($"/Notes/{note.Id}/Revisions/{note.Revision}?handler=Restore", new Dictionary<string, string> { ["BasedOn"] = note.Revision }),
        ($"/Notes/Conflicts/{note.Id}?handler=Keep", new Dictionary<string, string> { ["keep"] = note.Revision }),
        ($"/Notes/Conflicts/{note.Id}?handler=Merge", new Dictionary<string, string> { ["Input.Title"] = _forged, ["Input.Body"] = "" }),
        ("/Sync?handler=Pair", new Dictionary<string, string> { ["DeviceId"] = Stranger }),
        ("/Sync?handler=Accept", new Dictionary<string, string> { ["deviceId"] = Stranger }),
        ("/Sync?handler=Ignore", new Dictionary<string, string> { ["deviceId"] = Stranger }),
        ("/Sync?handler=Remove", new Dictionary<string, string> { ["deviceId"] = Stranger }),
    ];

    /// <summary>Sends what a browser would, saying where the request came from; or, with neither header, what a script would.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent? body, string? fetchSite, string? origin, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await http.SendAsync(request);
    }

    private static StringContent? Json(string? json) => json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");

    private async Task<Note> NewNoteAsync()
    {
        using var web = stack.WebBrowserClient();
        return await Sites.CreateAsync(web, $"target {Guid.NewGuid():N}", "as written");
    }

    /// <summary>The note as it was made, no note with this test's forged title, and no device paired.</summary>
    private async Task AssertUnchangedAsync(Note note)
    {
        using var web = stack.WebBrowserClient();
        var now = await Sites.GetAsync(web, note);
        Assert.Equal((note.Title, note.Body, note.Version), (now.Title, now.Body, now.Version));
        Assert.DoesNotContain((await web.GetFromJsonAsync<NotePage>($"/api/notes?q={Uri.EscapeDataString(_forged)}"))!.Items, n => n.Title == _forged);
        Assert.DoesNotContain(Stranger, await web.GetStringAsync("/api/sync/pairing"));
    }
}
