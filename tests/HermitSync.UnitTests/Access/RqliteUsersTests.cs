using System.Net;
using System.Text;
using HermitSync.Rqlite;

namespace HermitSync.UnitTests.Access;

/// <summary>The client asks how the cluster is as the monitor user, and runs statements and backups as its own user.</summary>
public sealed class RqliteUsersTests
{
    private const string ConnectionString =
        "Endpoints=http://127.0.0.1:4001;Username=data;Password=d-secret;MonitorUsername=monitor;MonitorPassword=m-secret";

    [Fact]
    public void The_connection_string_carries_both_users()
    {
        var settings = new RqliteClientSettings();
        settings.ParseConnectionString(ConnectionString);

        Assert.Equal(("data", "d-secret"), (settings.Username, settings.Password));
        Assert.Equal(("monitor", "m-secret"), (settings.MonitorUsername, settings.MonitorPassword));
    }

    [Fact]
    public async Task Each_request_goes_as_the_user_for_its_job()
    {
        var rqlite = new RecordingRqlite();
        var settings = new RqliteClientSettings();
        settings.ParseConnectionString(ConnectionString);
        var client = new RqliteClient(() => new HttpClient(rqlite), settings);

        await client.QueryAsync(SqlStatement.Of("SELECT 1"));
        await client.ExecuteAsync(SqlStatement.Of("CREATE TABLE t (x)"));
        await client.BackupAsync(Stream.Null);
        await client.GetNodesAsync();
        await client.GetAppliedIndexAsync(new Uri("http://127.0.0.1:4001"));
        await client.IsReadyAsync(new Uri("http://127.0.0.1:4001"));

        Assert.Equal(
        [
            ("/db/query", "data:d-secret"),
            ("/db/execute", "data:d-secret"),
            ("/db/backup", "data:d-secret"),
            ("/nodes", "monitor:m-secret"),
            ("/status", "monitor:m-secret"),
            ("/readyz", "monitor:m-secret"),
        ], rqlite.Requests);
    }

    [Fact]
    public async Task Without_a_monitor_user_the_one_user_asks_everything()
    {
        var rqlite = new RecordingRqlite();
        var settings = new RqliteClientSettings();
        settings.ParseConnectionString("Endpoints=http://127.0.0.1:4001;Username=hermit;Password=p");
        var client = new RqliteClient(() => new HttpClient(rqlite), settings);

        await client.GetNodesAsync();

        Assert.Equal([("/nodes", "hermit:p")], rqlite.Requests);
    }

    private sealed class RecordingRqlite : HttpMessageHandler
    {
        public List<(string Path, string Credentials)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization!.Parameter!));
            Requests.Add((request.RequestUri!.AbsolutePath, credentials));
            var json = request.RequestUri.AbsolutePath switch
            {
                "/db/query" => """{"results":[{"columns":["1"],"types":["integer"],"values":[[1]]}]}""",
                "/db/execute" => """{"results":[{}]}""",
                "/nodes" => """{"nodes":[{"id":"a","api_addr":"http://127.0.0.1:4001","addr":"127.0.0.1:4002","voter":true,"reachable":true,"leader":true}]}""",
                _ => "{}",
            };
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }
}
