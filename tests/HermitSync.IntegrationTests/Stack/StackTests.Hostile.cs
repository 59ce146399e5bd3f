using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Hostile input against the real stack: every answer is a 4xx ProblemDetails, or the text is stored exactly.</summary>
public sealed partial class StackTests
{
    private static readonly string[] Nasty =
    [
        "\0", "a\0b", "\u202Eevil\u202C", "😀🧪𝔘", "e\u0301", "'; DROP TABLE notes; --", "\" OR 1=1 --", "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>", "%", "_", "\\", "\\%_", "\r\n\t", "\u00A0", "\uFEFF", "ﷺ", "\u0000\u0001\u001F", "null", "{}", "[]",
        "SELECT * FROM notes", "$(rm -rf /)", "../../etc/passwd", "javascript:alert(1)", "ǅ", "\u2028\u2029", "🏳️‍🌈",
    ];

    [Fact]
    public async Task Hundreds_of_hostile_notes_are_refused_with_a_4xx_or_stored_exactly()
    {
        using var api = stack.WebBrowserClient();
        var random = new Random(4242);
        var stored = 0;
        var refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var title = Compose(random, random.Next(0, 6));
            var body = Compose(random, random.Next(0, 30));
            using var response = await api.PostAsJsonAsync("/api/notes", new { title, body });
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for title {JsonSerializer.Serialize(title)}");
            if (response.StatusCode == HttpStatusCode.Created)
            {
                var id = (await response.Content.ReadFromJsonAsync<Note>())!.Id;
                var back = (await api.GetFromJsonAsync<Note>($"/api/notes/{id}"))!;
                Assert.Equal(title, back.Title);
                Assert.Equal(body, back.Body);
                stored++;
            }
            else
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                refused++;
            }
        }
        Assert.True(stored > 100 && refused > 10, $"stored {stored}, refused {refused}: the mix should exercise both");
    }

    [Theory]
    [InlineData("{\"title\": 123, \"body\": \"x\"}")]
    [InlineData("{\"title\": [\"x\"], \"body\": {}}")]
    [InlineData("{\"title\": \"\\ud800\", \"body\": \"lone surrogate\"}")]
    [InlineData("{\"title\": \"x\", \"body\": \"\\udfff\\ud800\"}")]
    [InlineData("{\"title\": \"x\", \"body\": ")]
    [InlineData("not json at all")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"title\": \"x\", \"body\": \"y\", \"id\": \"not-a-guid\"}")]
    public async Task Malformed_or_mistyped_json_gets_a_400_problem(string json)
    {
        using var api = stack.WebBrowserClient();

        using var response = await api.PostAsync("/api/notes", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Hostile_search_text_and_ids_never_cause_a_5xx()
    {
        using var api = stack.WebBrowserClient();
        foreach (var text in Nasty)
        {
            var escaped = Uri.EscapeDataString(text);
            foreach (var path in new[] { $"/api/notes?q={escaped}", $"/api/notes?cursor={escaped}", $"/api/notes/{escaped}", $"/api/notes/{escaped}/conflicts", $"/api/notes?limit={escaped}" })
            {
                using var response = await api.GetAsync(path);
                Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {path}");
            }
        }
    }

    [Fact]
    public async Task Stored_script_renders_as_inert_text_in_the_web_app()
    {
        using var api = stack.WebBrowserClient();
        using var created = await api.PostAsJsonAsync("/api/notes", new { title = "<script>alert('t')</script>", body = "<img src=x onerror=alert(1)>" });
        var id = (await created.Content.ReadFromJsonAsync<Note>())!.Id;

        foreach (var page in new[] { await api.GetStringAsync($"/Notes/{id}"), await api.GetStringAsync($"/Notes/Edit/{id}"), await api.GetStringAsync("/?q=script") })
        {
            Assert.DoesNotContain("<script>alert", page);
            Assert.DoesNotContain("<img src=x", page);
        }
    }

    [Fact]
    public void Every_socket_the_stack_listens_on_is_on_loopback()
    {
        var sockets = Infrastructure.ListeningSockets.OfProcessTree(Environment.ProcessId);

        Assert.Contains(sockets, s => s.Command.Contains("rqlited"));
        Assert.Contains(sockets, s => s.Command.Contains("syncthing"));
        Assert.Contains(sockets, s => s.Command.Contains("HermitSync.Api"));
        Assert.All(sockets, s => Assert.True(IPAddress.IsLoopback(s.Address), $"{s.Command} listens on {s.Protocol} {s.Address}:{s.Port}"));
    }

    [Fact]
    public async Task No_secret_appears_in_any_log_line()
    {
        // Make the stack do a little of everything first, so there is something to leak.
        using var api = stack.WebBrowserClient();
        await api.PostAsJsonAsync("/api/notes", new { title = "log probe", body = "" });
        await api.GetStringAsync("/Cluster");
        await api.GetStringAsync("/Sync");
        await Task.Delay(TimeSpan.FromSeconds(2));

        var lines = stack.LogLines.ToArray();
        Assert.True(lines.Length > 50, $"only {lines.Length} log lines were collected");
        foreach (var secret in new[] { stack.RqlitePassword, stack.SyncthingApiKey, stack.SyncPassphrase })
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    private static string Compose(Random random, int parts) =>
        string.Concat(Enumerable.Range(0, parts).Select(_ => random.Next(4) == 0 ? new string('x', random.Next(1, 80)) : Nasty[random.Next(Nasty.Length)]));
}
