using System.Net.Http.Headers;
using System.Net;
using System.Runtime.Versioning;
using System.Text.Json.Serialization;
using System.Text.Json;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Access;

/// <summary>
/// A user per job in the site's rqlite cluster: the services read and write notes and ask how the
/// cluster is, and nothing more. Backing up, loading a database and removing a node are
/// other users' jobs, whose passwords the services never hold.
/// </summary>
[Collection(SingleSiteCollection.Name)]
[UnsupportedOSPlatform("windows")]
public sealed class RqliteUsersTests(StackFixture stack)
{
    /// <summary>What each of rqlite's HTTP endpoints asks for, tried in ways that change nothing whoever is allowed.</summary>
    private static readonly (string Job, HttpMethod Method, string Path, string? Body)[] Jobs =
    [
        ("query", HttpMethod.Get, "/db/query?q=SELECT%201", null),
        ("execute", HttpMethod.Post, "/db/execute", """["SELECT 1"]"""),
        ("request", HttpMethod.Post, "/db/request", """["SELECT 1"]"""),
        ("status", HttpMethod.Get, "/status", null),
        ("nodes", HttpMethod.Get, "/nodes", null),
        ("ready", HttpMethod.Get, "/readyz", null),
        ("backup", HttpMethod.Get, "/db/backup", null),
        // Text that is not a SQLite file is run as SQL: a harmless statement.
        ("load", HttpMethod.Post, "/db/load", "SELECT 1"),
        ("remove", HttpMethod.Delete, "/remove", """{"id":"no-such-node"}"""),
    ];

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["data"] = ["query", "execute", "request"],
        ["monitor"] = ["status", "nodes", "ready"],
        ["backup"] = ["backup"],
        ["restore"] = ["load"],
        ["join"] = [],
        ["remove"] = ["remove"],
    };

    [Fact]
    public async Task The_apis_rqlite_user_cannot_back_up_load_or_remove()
    {
        var api = await ServicesSettingsAsync();

        foreach (var node in Enumerable.Range(1, 3).Select(n => stack.RqliteNode(n)))
        {
            foreach (var job in new[] { "backup", "load", "remove", "status", "nodes" })
            {
                Assert.True(await RefusedAsync(node, api.Username!, api.Password!, job), $"the API's user {api.Username} may {job} on {node}");
            }
            Assert.False(await RefusedAsync(node, api.Username!, api.Password!, "query"));
        }
    }

    [Fact]
    public async Task Each_user_may_do_its_own_jobs_and_no_other()
    {
        var users = AuthFile(stack);
        Assert.Equal(Allowed.Keys.Order(), users.Select(u => u.Username).Order());
        var node = stack.RqliteNode(1);

        foreach (var user in users)
        {
            foreach (var (job, _, _, _) in Jobs)
            {
                var refused = await RefusedAsync(node, user.Username, user.Password, job);
                Assert.True(refused != Allowed[user.Username].Contains(job), $"{user.Username} {(refused ? "may not" : "may")} {job}");
            }
        }
    }

    [Fact]
    public async Task The_passwords_are_distinct_derived_and_only_the_services_own_are_in_their_environment()
    {
        var users = AuthFile(stack);
        var api = await ServicesSettingsAsync();

        Assert.Equal(users.Count, users.Select(u => u.Password).Distinct().Count());
        Assert.All(users, u => Assert.Matches("^[0-9a-f]{64}$", u.Password));
        Assert.DoesNotContain(stack.RqlitePassword, users.Select(u => u.Password));
        Assert.Equal(("data", "monitor"), (api.Username, api.MonitorUsername));
        Assert.Equal(Password(users, "data"), api.Password);
        Assert.Equal(Password(users, "monitor"), api.MonitorPassword);
        foreach (var service in new[] { SiteResource.Api, SiteResource.Exporter, SiteResource.Web })
        {
            var environment = await File.ReadAllTextAsync($"/proc/{await ResourceProcess.PidAsync(stack.App, stack.Name("", service), CancellationToken.None)}/environ");
            foreach (var secret in new[] { stack.RqlitePassword, Password(users, "backup"), Password(users, "restore"), Password(users, "join"), Password(users, "remove") })
            {
                Assert.DoesNotContain(secret, environment);
            }
        }
    }

    [Fact]
    public void The_auth_file_is_owner_only_and_no_password_is_on_a_command_line()
    {
        var users = AuthFile(stack);
        var processes = ProcessTable.Mentioning(stack.DataDirectory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AuthFilePath(stack)));
        Assert.NotEmpty(processes);
        foreach (var pid in processes)
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            Assert.DoesNotContain(stack.RqlitePassword, commandLine);
            Assert.All(users, user => Assert.DoesNotContain(user.Password, commandLine));
            if (commandLine.Contains("rqlited", StringComparison.Ordinal))
            {
                Assert.Contains("-join-as join ", commandLine);
            }
        }
    }

    /// <summary>Every rqlite password the site has, for the tests that look for leaks.</summary>
    internal static IEnumerable<string> Passwords(StackFixture stack) => AuthFile(stack).Select(user => user.Password);

    /// <summary>A user's password as the auth file holds it, where the runbook has a person read it.</summary>
    internal static string PasswordOf(StackFixture stack, string user) => Password(AuthFile(stack), user);

    private static IReadOnlyList<AuthUser> AuthFile(StackFixture stack) =>
        JsonSerializer.Deserialize<AuthUser[]>(File.ReadAllText(AuthFilePath(stack)))!;

    private static string AuthFilePath(StackFixture stack) => Path.Combine(stack.RqliteCluster().DataDirectory!, "auth.json");

    private static string Password(IEnumerable<AuthUser> users, string name) => users.Single(u => u.Username == name).Password;

    /// <summary>The users the AppHost gives the API and the exporter, from the connection string it gives them.</summary>
    private async Task<RqliteClientSettings> ServicesSettingsAsync()
    {
        var settings = new RqliteClientSettings();
        settings.ParseConnectionString((await stack.App.GetConnectionStringAsync(stack.Name("", SiteResource.Rqlite)))!);
        return settings;
    }

    private static async Task<bool> RefusedAsync(Uri node, string username, string password, string job)
    {
        var (_, method, path, body) = Jobs.Single(j => j.Job == job);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = node, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Unauthorized;
    }

    private sealed record AuthUser(
        [property: JsonPropertyName("username")] string Username,
        [property: JsonPropertyName("password")] string Password,
        [property: JsonPropertyName("perms")] string[] Perms);
}
