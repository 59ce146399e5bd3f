using System.Net;
using System.Runtime.Versioning;
using Aspire.Hosting.ApplicationModel;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Rqlite;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Rqlite;

/// <summary>The rqlite client, and the hosting integration that runs the cluster, against a real three-node rqlited cluster.</summary>
public sealed class RqliteClientIntegrationTests(RqliteClusterFixture fixture) : IClassFixture<RqliteClusterFixture>
{
    private static readonly TimeSpan NodeRestartTimeout = TimeSpan.FromMinutes(1);

    private readonly RqliteClient _client = fixture.Client();

    private async Task<string> NewTableAsync()
    {
        var table = $"t_{Guid.NewGuid():N}";
        await _client.ExecuteAsync(SqlStatement.Of($"CREATE TABLE {table} (id INTEGER PRIMARY KEY, r REAL, t TEXT, b BLOB, n)"));
        return table;
    }

    [Fact]
    public async Task Every_storage_class_round_trips_through_parameters()
    {
        var table = await NewTableAsync();
        var blob = new byte[] { 0, 1, 2, 254, 255 };
        const string hostile = "'); DROP TABLE notes; -- \"<script>\" \u202E 😀";

        await _client.ExecuteAsync(SqlStatement.Of($"INSERT INTO {table} (id, r, t, b, n) VALUES (?, ?, ?, unhex(?), ?)", long.MaxValue, 1.0, hostile, blob, null));
        await _client.ExecuteAsync(SqlStatement.Named($"INSERT INTO {table} (id, t) VALUES (:id, :t)", new Dictionary<string, object?> { ["id"] = 2L, ["t"] = "named" }));

        var rows = (await _client.QueryAsync(SqlStatement.Of($"SELECT id, r, typeof(r), t, b, n FROM {table} ORDER BY id"), ReadConsistency.Strong)).Rows;
        Assert.Equal(2, rows[0].GetInt64(0));
        Assert.Equal("named", rows[0].GetString(3));
        Assert.Equal(long.MaxValue, rows[1].GetInt64(0));
        Assert.Equal("real", rows[1].GetString(2));
        Assert.Equal(hostile, rows[1].GetString(3));
        Assert.Equal(blob, rows[1].GetBytes(4));
        Assert.True(rows[1].IsNull(5));
    }

    [Fact]
    public async Task A_failing_statement_rolls_back_the_whole_transaction()
    {
        var table = await NewTableAsync();

        var error = await Assert.ThrowsAsync<RqliteStatementException>(() => _client.ExecuteAsync(
        [
            SqlStatement.Of($"INSERT INTO {table} (id) VALUES (?)", 1),
            SqlStatement.Of($"INSERT INTO {table} (id) VALUES (?)", 1),
        ]));

        Assert.True(error.IsConstraintViolation);
        var count = await _client.QueryAsync(SqlStatement.Of($"SELECT count(*) FROM {table}"), ReadConsistency.Strong);
        Assert.Equal(0, count.Rows[0].GetInt64(0));
    }

    [Fact]
    public async Task A_write_is_on_every_node_at_level_none()
    {
        var table = await NewTableAsync();
        await _client.ExecuteAsync(SqlStatement.Of($"INSERT INTO {table} (id, t) VALUES (1, ?)", "replicated"));

        foreach (var node in fixture.NodeEndpoints)
        {
            Assert.Equal("replicated", await ReadOnNodeAsync(node, $"SELECT t FROM {table}"));
        }
    }

    /// <summary>Polls one node's local copy until the row has replicated to it (the table too), for up to 10 s.</summary>
    private async Task<string?> ReadOnNodeAsync(Uri node, string sql)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                var result = await _client.QueryNodeAsync(node, SqlStatement.Of(sql), ReadConsistency.None);
                if (result.Rows.Count > 0 || DateTime.UtcNow > deadline)
                {
                    return result.Rows.Count > 0 ? result.Rows[0].GetString(0) : null;
                }
            }
            catch (RqliteStatementException) when (DateTime.UtcNow < deadline)
            {
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Releasing_the_log_cache_puts_512_entries_into_every_nodes_log()
    {
        await _client.ExecuteAsync(SqlStatement.Of("SELECT 1"));
        var before = await Task.WhenAll(fixture.NodeEndpoints.Select(node => AppliedIndexAsync(node, atLeast: 0)));

        await _client.ReleaseAsync();

        var after = await Task.WhenAll(fixture.NodeEndpoints.Select((node, i) => AppliedIndexAsync(node, atLeast: before[i] + RqliteLogCache.Entries)));
        Assert.All(before.Zip(after), pair => Assert.InRange(pair.Second - pair.First, RqliteLogCache.Entries, RqliteLogCache.Entries + 8));
    }

    /// <summary>Polls one node until it has applied at least this far, for up to 10 s; what it has applied then.</summary>
    private async Task<long> AppliedIndexAsync(Uri node, long atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var applied = await _client.GetAppliedIndexAsync(node) ?? throw new InvalidOperationException($"{node} does not say how far it has applied its log.");
            if (applied >= atLeast || DateTime.UtcNow > deadline)
            {
                return applied;
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_cluster_has_three_voters_and_one_leader()
    {
        var nodes = await _client.GetNodesAsync();

        Assert.Equal(3, nodes.Count(n => n.Voter && n.Reachable));
        Assert.Single(nodes, n => n.Leader);
    }

    [Fact]
    public async Task A_backup_streams_a_sqlite_database()
    {
        await NewTableAsync();
        using var backup = new MemoryStream();

        await (await fixture.BackupClientAsync()).BackupAsync(backup);

        Assert.True(backup.Length > 100);
        Assert.Equal("SQLite format 3\0"u8.ToArray(), backup.ToArray()[..16]);
    }

    [Fact]
    public async Task Requests_without_credentials_get_401()
    {
        using var http = new HttpClient();

        foreach (var path in new[] { "/db/query?q=SELECT%201", "/status", "/readyz", "/db/backup" })
        {
            using var response = await http.GetAsync(new Uri(fixture.NodeEndpoints[0], path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Reads_and_writes_continue_when_the_leader_the_client_uses_dies()
    {
        using var timeout = new CancellationTokenSource(NodeRestartTimeout);
        var table = await NewTableAsync();
        var client = fixture.Client();
        await client.QueryAsync(SqlStatement.Of("SELECT 1"));
        var first = (await client.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;
        var firstIndex = fixture.Cluster.Nodes.Select(n => n.Name).ToList().IndexOf(first);

        // The client sends to the leader; SIGKILL it, through the PID Aspire reports, and keep using the client
        // through the election: it must find the new leader within its failover budget.
        await ResourceProcess.KillAsync(fixture.App, first, timeout.Token);
        try
        {
            await client.ExecuteAsync(SqlStatement.Of($"INSERT INTO {table} (id) VALUES (1)"));
            var count = await client.QueryAsync(SqlStatement.Of($"SELECT count(*) FROM {table}"), ReadConsistency.Linearizable);
            Assert.Equal(1, count.Rows[0].GetInt64(0));
        }
        finally
        {
            // Aspire's start command brings it back on its own data, and it rejoins.
            await ResourceProcess.StartAsync(fixture.App, first, timeout.Token);
        }
        Assert.Equal("1", await ReadOnNodeAsync(fixture.NodeEndpoints[firstIndex], $"SELECT CAST(id AS TEXT) FROM {table}"));
    }

    [Fact]
    public async Task Step_down_hands_leadership_to_a_follower_that_every_node_follows()
    {
        using var timeout = new CancellationTokenSource(NodeRestartTimeout);
        var before = (await _client.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;

        var commands = fixture.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync(RqliteClusterFixture.ClusterName, RqliteCommandExtensions.StepDownCommand, timeout.Token);
        await fixture.App.ResourceNotifications.WaitForResourceHealthyAsync(before, timeout.Token);

        Assert.True(result.Success, result.Message);
        var nodes = await _client.GetNodesAsync(timeout.Token);
        Assert.NotEqual(before, nodes.Single(n => n.Leader).Id);
        Assert.Equal(3, nodes.Count(n => n.Voter && n.Reachable));
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void The_password_is_in_an_owner_only_file_and_on_no_command_line()
    {
        var nodes = ProcessTable.Mentioning(fixture.DataDirectory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(fixture.DataDirectory, "auth.json")));
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, pid => Assert.DoesNotContain(fixture.Password, File.ReadAllText($"/proc/{pid}/cmdline")));
    }
}
