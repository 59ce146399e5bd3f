using System.Net;
using System.Net.Http.Json;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using Aspire.Hosting.Testing;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Exporter.Syncthing;
using HermitSync.AppHost.Site;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Rqlite;
using HermitSync.Testing.Peers;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Test classes that share one running site; none of them stops or restarts it.</summary>
[CollectionDefinition(Name)]
public sealed class SingleSiteCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "single site";
}

/// <summary>The whole site through the real AppHost: real rqlited, Syncthing, API, web and exporter.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed partial class StackTests(StackFixture stack)
{
    [Fact]
    public async Task Every_resource_is_healthy()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var resource in stack.Resources)
        {
            await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    [Fact]
    public async Task Each_service_is_its_published_program_with_no_launcher_above_it_compiled_ahead_of_time()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        foreach (var (resource, program) in new[] { (SiteResource.Api, "HermitSync.Api"), (SiteResource.Web, "HermitSync.Web"), (SiteResource.Exporter, "HermitSync.Exporter") })
        {
            var pid = await ResourceProcess.PidAsync(stack.App, stack.Name("", resource), timeout.Token);
            var started = ProcessTable.Read(pid)?.Program;
            Assert.Equal(program, Path.GetFileName(started));
            Assert.True(IsReadyToRun($"{started}.dll"), $"{started}.dll holds no ReadyToRun code.");
        }
    }

    /// <summary>A ReadyToRun image carries native code, found through the managed native header of its CLI header.</summary>
    private static bool IsReadyToRun(string assembly)
    {
        using var image = new PEReader(File.OpenRead(assembly));
        return image.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    [Fact]
    public async Task The_cluster_has_three_voters_and_one_leader()
    {
        using var web = stack.WebBrowserClient();

        var cluster = (await web.GetFromJsonAsync<ClusterStatus>("/api/cluster"))!;

        Assert.Equal("Healthy", cluster.Health);
        Assert.Equal(3, cluster.Nodes.Count(n => n.Voter && n.Reachable));
        Assert.Equal(cluster.Leader, Assert.Single(cluster.Nodes, n => n.Leader).Id);
    }

    [Fact]
    public async Task A_note_made_edited_and_deleted_in_the_web_app_reaches_every_node()
    {
        using var browser = stack.WebBrowserClient();

        using var created = await WebForm.SubmitAsync(browser, "/Notes/New", new Dictionary<string, string>
        {
            ["Input.Title"] = "Groceries <script>alert(1)</script>",
            ["Input.Body"] = "eggs; DROP TABLE notes; --",
        });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = Guid.Parse(created.Headers.Location!.OriginalString.Split('/')[^1]);
        var editUrl = $"/Notes/Edit/{id}";
        await AssertOnEveryNodeAsync(id, "Groceries <script>alert(1)</script>", version: 1);

        var editPage = await browser.GetStringAsync(editUrl);
        Assert.Contains("Groceries &lt;script&gt;", editPage);
        Assert.DoesNotContain("<script>alert(1)</script>", editPage);

        using var edited = await WebForm.SubmitAsync(browser, editUrl, new Dictionary<string, string> { ["Input.Title"] = "Groceries", ["Input.Body"] = "eggs, milk" });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        await AssertOnEveryNodeAsync(id, "Groceries", version: 2);

        using var deleted = await WebForm.SubmitAsync(browser, $"/Notes/Delete/{id}", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        await AssertOnEveryNodeAsync(id, title: null, version: 0);
    }

    [Fact]
    public async Task A_note_made_edited_and_deleted_through_the_api_reaches_every_node()
    {
        using var api = stack.WebBrowserClient();

        using var created = await api.PostAsJsonAsync("/api/notes", new { title = "From a script", body = "via YARP" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var note = (await created.Content.ReadFromJsonAsync<Note>())!;
        var id = note.Id;
        Assert.Equal($"/api/notes/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(note.ETag, created.Headers.ETag!.Tag);
        await AssertOnEveryNodeAsync(id, "From a script", version: 1);

        using var update = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{id}") { Content = JsonContent.Create(new { title = "Edited", body = "v2" }) };
        update.Headers.IfMatch.Add(created.Headers.ETag!);
        using var updated = await api.SendAsync(update);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        await AssertOnEveryNodeAsync(id, "Edited", version: 2);

        using var deleted = await api.DeleteAsync($"/api/notes/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await AssertOnEveryNodeAsync(id, title: null, version: 0);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/notes/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_stale_edit_is_refused_and_the_web_page_shows_the_current_text()
    {
        using var api = stack.WebBrowserClient();
        using var browser = stack.WebBrowserClient();
        using var created = await api.PostAsJsonAsync("/api/notes", new { title = "Shared", body = "original" });
        var id = (await created.Content.ReadFromJsonAsync<Note>())!.Id;
        var editPage = await browser.GetStringAsync($"/Notes/Edit/{id}");

        // Someone else saves first.
        using var first = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{id}") { Content = JsonContent.Create(new { title = "Shared", body = "their edit" }) };
        first.Headers.IfMatch.Add(created.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(first)).StatusCode);

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{id}") { Content = JsonContent.Create(new { title = "Shared", body = "my edit" }) };
        stale.Headers.IfMatch.Add(created.Headers.ETag!);
        using var refused = await api.SendAsync(stale);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);

        using var saved = await WebForm.SubmitFromAsync(browser, $"/Notes/Edit/{id}", editPage, new Dictionary<string, string>
        {
            ["Input.Title"] = "Shared",
            ["Input.Body"] = "my edit",
        });
        var page = await saved.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, saved.StatusCode);
        Assert.Contains("changed while you were editing", page);
        Assert.Contains("their edit", page);
        Assert.Contains("my edit", page);
    }

    [Fact]
    public async Task A_form_post_without_an_antiforgery_token_is_refused()
    {
        using var browser = stack.WebBrowserClient();

        using var response = await browser.PostAsync("/Notes/New", new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Title"] = "forged" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_notes_get_problem_details()
    {
        using var api = stack.WebBrowserClient();

        using var empty = await api.PostAsJsonAsync("/api/notes", new { title = "", body = "" });
        using var longTitle = await api.PostAsJsonAsync("/api/notes", new { title = new string('t', 201), body = "" });
        using var hugeBody = await api.PostAsJsonAsync("/api/notes", new { title = "big", body = new string('b', (1024 * 1024) + 1) });
        using var unknown = await api.GetAsync($"/api/notes/{Guid.CreateVersion7()}");
        using var malformed = await api.PostAsync("/api/notes", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, longTitle.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeBody.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        foreach (var response in new[] { empty, longTitle, hugeBody, unknown, malformed })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Each_change_is_sealed_into_a_change_file_and_the_folder_never_holds_plaintext()
    {
        using var api = stack.WebBrowserClient();
        var syncFolder = stack.Site().SyncFolder;
        var secret = $"plaintext-canary-{Guid.NewGuid():N}";
        var siteFolder = Path.Combine(syncFolder, "sites", await Sites.SiteIdAsync(api));
        var before = Directory.Exists(siteFolder) ? Directory.GetFiles(siteFolder) : [];

        var note = await Sites.CreateAsync(api, secret, $"body {secret}");

        // The note is in a new change file, sealed: opened with the sync passphrase and the key its site's card states, it holds the note as written.
        var keyring = new SyncKeyring(stack.SyncPassphrase);
        var sealedIn = await Sites.EventuallyAsync(
            () => Task.FromResult(Directory.GetFiles(siteFolder, "c-*.hsync").Except(before).FirstOrDefault(file =>
                ChangeFile.Open(keyring, new CardKeys(syncFolder), File.ReadAllBytes(file)).Revisions.Any(r => r.NoteId == note.Id.ToString("D") && r.Title == secret && r.Body == $"body {secret}"))),
            "no change file holding the note followed the change", TimeSpan.FromSeconds(10));
        var canary = System.Text.Encoding.UTF8.GetBytes(secret);
        foreach (var file in Directory.GetFiles(syncFolder, "*", SearchOption.AllDirectories))
        {
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(canary) >= 0, $"{file} holds the note's plaintext");
        }
        Assert.Empty(Directory.GetFiles(syncFolder, "*.tmp", SearchOption.AllDirectories));
        var exported = (await Sites.StatusAsync(api)).LastExport!;
        Assert.Equal(nameof(ChangeFileKind.Changes), exported.Kind);
        Assert.Equal(Path.GetFileName(sealedIn), Path.GetFileName(exported.File));
    }

    [Fact]
    public async Task The_exporter_has_syncthing_send_the_sites_own_folder_and_nothing_else()
    {
        using var syncthing = stack.SyncthingClient();
        using var api = stack.WebBrowserClient();
        var siteId = (await api.GetFromJsonAsync<SyncStatus>("/api/sync/status"))!.SiteId;

        var folders = await syncthing.GetFromJsonAsync<JsonElement>("/rest/config/folders");

        var folder = Assert.Single(folders.EnumerateArray());
        Assert.Equal(SiteFolders.IdOf(siteId), folder.GetProperty("id").GetString());
        Assert.Equal(Path.Combine(stack.Site().SyncFolder, "sites", siteId), folder.GetProperty("path").GetString());
        Assert.Equal("sendonly", folder.GetProperty("type").GetString());
        Assert.True(folder.GetProperty("fsWatcherEnabled").GetBoolean());
    }

    [Fact]
    public async Task Syncthing_refuses_requests_without_its_api_key()
    {
        using var http = new HttpClient();
        var syncthing = stack.App.GetEndpoint(SiteResource.Syncthing, "http");

        using var anonymous = await http.GetAsync(new Uri(syncthing, "/rest/system/ping"));
        using var keyed = new HttpRequestMessage(HttpMethod.Get, new Uri(syncthing, "/rest/system/ping"));
        keyed.Headers.Add("X-API-Key", stack.SyncthingApiKey);

        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(keyed)).StatusCode);
    }

    [Fact]
    public async Task The_rqlite_nodes_refuse_requests_without_credentials()
    {
        using var http = new HttpClient();

        for (var node = 1; node <= 3; node++)
        {
            using var response = await http.GetAsync(new Uri(stack.RqliteNode(node), "/db/query?q=SELECT%20*%20FROM%20notes"));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task The_web_app_searches_and_shows_the_cluster()
    {
        using var browser = stack.WebBrowserClient();
        var marker = $"needle-{Guid.NewGuid():N}";
        await Sites.CreateAsync(browser, $"Findable {marker}", "");
        await Sites.CreateAsync(browser, "Not this one", "");

        var results = await browser.GetStringAsync($"/?q={marker}");
        var cluster = await ClusterPage.ReadAsync(browser);
        var leader = (await stack.Rqlite().GetNodesAsync()).Single(n => n.Leader).Id;

        Assert.Contains($"Findable {marker}", results);
        Assert.DoesNotContain("Not this one", results);
        Assert.Equal("Healthy", cluster.Health);
        Assert.Equal(leader, cluster.Leader);
        Assert.Equal("leader", cluster.Node(leader).Role);
        Assert.All(Enumerable.Range(1, 3).Select(node => cluster.Node(stack.RqliteNodeName(node))), row => Assert.True(row.Up, $"{row.Node} shows {row.State}"));
        Assert.Equal(["follower", "follower", "leader"], cluster.Nodes.Select(row => row.Role).Order());
    }

    [Fact]
    public async Task The_api_publishes_an_openapi_document()
    {
        using var api = stack.ApiClient();

        var document = await api.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/notes", out _));
        Assert.True(paths.TryGetProperty("/api/notes/{id}", out _));
        Assert.True(paths.TryGetProperty("/api/cluster", out _));
    }

    private async Task AssertOnEveryNodeAsync(Guid id, string? title, long version)
    {
        var rqlite = stack.Rqlite();
        for (var node = 1; node <= 3; node++)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                var row = await rqlite.QueryNodeAsync(stack.RqliteNode(node), NoteSql.Find(id), ReadConsistency.None);
                // A delete leaves a tombstone, so the delete itself can sync to other sites.
                var matches = title is null
                    ? row is { Deleted: true }
                    : row is { Deleted: false } && row.Title == title && row.Version == version;
                if (matches)
                {
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"{stack.RqliteNodeName(node)} did not show note {id} as {(title is null ? "deleted" : $"'{title}' v{version}")} within 10 s");
                await Task.Delay(100);
            }
        }
    }
}
