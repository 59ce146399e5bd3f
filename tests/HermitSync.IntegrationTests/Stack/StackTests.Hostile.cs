using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using Microsoft.AspNetCore.Http;

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
    public async Task Hundreds_of_hostile_notes_are_stored_exactly_when_the_rules_allow_them_and_refused_with_a_4xx_when_not()
    {
        using var api = stack.WebBrowserClient();
        var rqlite = stack.Rqlite();
        var random = new Random(4242);
        var stored = 0;
        var refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var title = Compose(random, random.Next(0, 6));
            var body = Compose(random, random.Next(0, 30));
            var violation = NoteRules.Check(title, body);
            using var response = await api.PostAsJsonAsync("/api/notes", new { title, body });
            var input = $"title {JsonSerializer.Serialize(title)}, body {JsonSerializer.Serialize(body)}";
            if (violation is null)
            {
                Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} for {input}, which the rules allow");
                var id = (await response.Content.ReadFromJsonAsync<Note>())!.Id;
                var back = (await api.GetFromJsonAsync<Note>($"/api/notes/{id}"))!;
                var row = (await rqlite.QueryAsync(NoteSql.Find(id), ReadConsistency.Strong))!;
                Assert.Equal((title, body), (back.Title, back.Body));
                Assert.Equal((title, body), (row.Title, row.Body));
                stored++;
            }
            else
            {
                Assert.True(response.StatusCode == (violation.TooLarge ? HttpStatusCode.RequestEntityTooLarge : HttpStatusCode.BadRequest),
                    $"{(int)response.StatusCode} for {input}, which breaks the rule on its {violation.Field}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = (await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>())!;
                Assert.Equal([violation.Message], problem.Errors[violation.Field]);
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
        const string title = "<script>alert('t')</script>";
        var id = (await Sites.CreateAsync(api, title, "<img src=x onerror=alert(1)>")).Id;

        foreach (var page in new[] { await api.GetStringAsync($"/Notes/{id}"), await api.GetStringAsync($"/Notes/Edit/{id}") })
        {
            Assert.DoesNotContain("<script>alert", page);
            Assert.DoesNotContain("<img src=x", page);
        }
    }

    [Theory]
    [InlineData("<script>alert('t')")]
    [InlineData("\"><img src=x onerror=alert(2)>")]
    public async Task A_hostile_search_is_echoed_back_inert(string query)
    {
        using var api = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(api, "<script>alert('t')</script>", "found by a hostile search");

        var page = await api.GetStringAsync($"/?q={Uri.EscapeDataString(query)}");

        var echoed = HtmlEncoder.Default.Encode(query);
        Assert.Contains($"value=\"{echoed}\"", page);
        Assert.DoesNotContain(query, page);
        var results = (await api.GetFromJsonAsync<NotePage>($"/api/notes?q={Uri.EscapeDataString(query)}"))!;
        if (results.Items.Any(n => n.Id == note.Id))
        {
            Assert.Contains(HtmlEncoder.Default.Encode(note.Title), page);
        }
        else
        {
            Assert.Contains(HtmlEncoder.Default.Encode($"No note matches “{query}”."), page);
        }
        Assert.DoesNotContain("<script>alert", page);
        Assert.DoesNotContain("<img src=x", page);
    }

    [Fact]
    public void Every_socket_the_stack_listens_on_is_on_loopback()
    {
        var sockets = ListeningSockets.OfProcessTree(Environment.ProcessId);

        Assert.Contains(sockets, s => s.Command.Contains("rqlited"));
        Assert.Contains(sockets, s => s.Command.Contains("syncthing"));
        Assert.Contains(sockets, s => s.Command.Contains("HermitSync.Api"));
        Assert.All(sockets, s => Assert.True(IPAddress.IsLoopback(s.Address), $"{s.Command} listens on {s.Protocol} {s.Address}:{s.Port}"));
    }

    [Fact]
    public void No_secret_is_on_the_command_line_of_any_process_the_stack_runs()
    {
        stack.StartedProcesses.RecordTrees();
        var running = stack.StartedProcesses.Running();
        string[] secrets = [.. stack.Secrets, stack.Settings.SyncthingGuiUser];

        // Each resource's own process: the .NET services run as themselves, with no launcher.
        Assert.All(stack.Processes, resource => Assert.Contains(running, p => p.Resource == resource));
        foreach (var service in new[] { "HermitSync.Api", "HermitSync.Web", "HermitSync.Exporter" })
        {
            Assert.Contains(running, p => Path.GetFileName(p.Process.Program) == service);
        }
        foreach (var process in running)
        {
            var commandLine = ProcessTable.Read(process.Process.Pid)?.CommandLine ?? "";
            Assert.False(secrets.Any(secret => commandLine.Contains(secret, StringComparison.OrdinalIgnoreCase)), $"a secret is on the command line of {process.Resource}'s process {process.Process.Pid}");
        }
    }

    private static string Compose(Random random, int parts) =>
        string.Concat(Enumerable.Range(0, parts).Select(_ => random.Next(4) == 0 ? new string('x', random.Next(1, 80)) : Nasty[random.Next(Nasty.Length)]));
}
