using System.Net;
using System.Text;
using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.UnitTests;

public sealed class RqliteClientTests
{
    [Fact]
    public void Positional_parameters_are_json_values_of_each_storage_class()
    {
        var json = Encoding.UTF8.GetString(RqliteClient.SerializeStatements(
        [
            SqlStatement.Of("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", 9007199254740993L, 1.0, 2.5, "it's \"quoted\"; DROP TABLE t", null, new byte[] { 1, 2, 255 }, true),
        ]));

        Assert.Equal(
            """[["INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",9007199254740993,1.0,2.5,"it's \"quoted\"; DROP TABLE t",null,"0102FF",1]]""",
            json);
    }

    [Fact]
    public void Named_parameters_are_an_object()
    {
        var json = Encoding.UTF8.GetString(RqliteClient.SerializeStatements(
            [SqlStatement.Named("SELECT * FROM t WHERE a = :a AND b = :b", new Dictionary<string, object?> { ["a"] = 1, ["b"] = "x" })]));

        Assert.Equal("""[["SELECT * FROM t WHERE a = :a AND b = :b",{"a":1,"b":"x"}]]""", json);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Values_sqlite_cannot_store_are_refused_when_the_statement_is_built(double value) =>
        Assert.Throws<ArgumentException>(() => SqlStatement.Of("SELECT ?", value));

    [Fact]
    public void Types_without_a_storage_class_are_refused() =>
        Assert.Throws<ArgumentException>(() => SqlStatement.Of("SELECT ?", DateTime.UtcNow));

    [Fact]
    public void Results_keep_64_bit_integers_and_decode_blobs()
    {
        var root = """
            {"results":[{"columns":["id","b","t"],"types":["integer","blob","text"],"values":[[9007199254740993,"AQL/",null]]}]}
            """u8;

        var result = RqliteClient.ParseResults(root, [SqlStatement.Of("SELECT id, b, t FROM x")]).Single();

        Assert.Equal(9007199254740993L, result.Rows[0].GetInt64(0));
        Assert.Equal(new byte[] { 1, 2, 255 }, result.Rows[0].GetBytes(result.Ordinal("b")));
        Assert.True(result.Rows[0].IsNull(2));
    }

    [Fact]
    public void Values_read_as_rqlite_sent_them()
    {
        var json = """
            {"results":[{"columns":["t","r","b","n"],"types":["text","real","integer","integer"],"values":[["caf\u00e9 \"x\"\n",-2.5e3,true,-7],["",0.25,false,0]]}],"time":0.001}
            """u8;

        var rows = RqliteClient.ParseResults(json, [SqlStatement.Of("SELECT t, r, b, n FROM x")]).Single().Rows;

        Assert.Equal("café \"x\"\n", rows[0].GetString(0));
        Assert.Equal(-2500.0, rows[0].GetDouble(1));
        Assert.True(rows[0].GetBoolean(2));
        Assert.Equal(-7, rows[0].GetInt64(3));
        Assert.Equal("-7", rows[0].GetString(3));
        Assert.Equal(("", 0.25, false, 0L), (rows[1].GetString(0), rows[1].GetDouble(1), rows[1].GetBoolean(2), rows[1].GetInt64(3)));
    }

    [Theory]
    [InlineData("""[1,2]""")]
    [InlineData("""{"results":[{"values":[[{"nested":1}]]}]}""")]
    [InlineData("""{"results":[{"last_insert_id":"one"}]}""")]
    [InlineData("""{"results":[{"values":[[1,""")]
    [InlineData("""{"time":1}""")]
    public void An_answer_of_another_shape_is_an_rqlite_error_not_a_crash(string answer) =>
        Assert.Throws<RqliteException>(() => RqliteClient.ParseResults(Encoding.UTF8.GetBytes(answer), [SqlStatement.Of("SELECT 1")]));

    [Fact]
    public void A_top_level_error_outranks_the_results_beside_it()
    {
        var json = """{"results":[{"error":"no such table: x"}],"error":"leadership lost while committing log"}"""u8.ToArray();

        var error = Assert.Throws<NodeUnavailableException>(() => RqliteClient.ParseResults(json, [SqlStatement.Of("SELECT 1")]));

        Assert.Contains("leadership lost", error.Message);
    }

    [Fact]
    public void An_error_inside_results_is_raised_even_with_a_200()
    {
        var root = """{"results":[{"last_insert_id":1,"rows_affected":1},{"error":"UNIQUE constraint failed: t.id"}]}"""u8.ToArray();

        var error = Assert.Throws<RqliteStatementException>(() =>
            RqliteClient.ParseResults(root, [SqlStatement.Of("INSERT 1"), SqlStatement.Of("INSERT 2")]));

        Assert.Equal(1, error.StatementIndex);
        Assert.Equal("INSERT 2", error.Sql);
        Assert.True(error.IsConstraintViolation);
    }

    [Fact]
    public async Task A_top_level_error_is_about_the_node_so_a_read_moves_on()
    {
        var rqlite = new FakeRqlite()
            .Json(1, """{"error":"store not open"}""")
            .Json(2, """{"results":[{"columns":["n"],"types":["integer"],"values":[[1]]}]}""");

        var result = await rqlite.Client().QueryAsync(SqlStatement.Of("SELECT 1"));

        Assert.Equal(1, result.Rows[0].GetInt64(0));
    }

    [Fact]
    public async Task Reads_fail_over_to_the_next_node_when_one_refuses_connections()
    {
        var rqlite = new FakeRqlite().Refuse(1).Json(2, """{"results":[{"columns":["n"],"types":["integer"],"values":[[7]]}]}""");

        var result = await rqlite.Client().QueryAsync(SqlStatement.Of("SELECT 7"));

        Assert.Equal(7, result.Rows[0].GetInt64(0));
        Assert.Equal([FakeRqlite.Node(1).Authority, FakeRqlite.Node(2).Authority], rqlite.Requests.Select(r => r.Node));
        Assert.Equal("/db/query?level=weak", rqlite.Requests[1].PathAndQuery);
    }

    [Fact]
    public async Task A_503_without_leader_moves_on_and_the_answering_node_is_preferred_next_time()
    {
        var rqlite = new FakeRqlite()
            .Json(1, "leader not found", HttpStatusCode.ServiceUnavailable)
            .Json(2, """{"results":[{"rows_affected":1}]}""")
            .Json(2, """{"results":[{"rows_affected":1}]}""");
        var client = rqlite.Client();

        await client.ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (1)"));
        await client.ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (2)"));

        Assert.Equal([4001, 4002, 4002], rqlite.Requests.Select(r => int.Parse(r.Node.Split(':')[1])));
    }

    [Fact]
    public async Task A_backup_that_meets_the_nodes_own_snapshot_is_tried_again()
    {
        var rqlite = new FakeRqlite()
            .Answer(1, _ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("CAS conflict: currently held by owner \"snapshot\" for 74.181µs") })
            .Answer(2, _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) });
        using var copy = new MemoryStream();

        await rqlite.Client().BackupAsync(copy);

        Assert.Equal([1, 2, 3], copy.ToArray());
        Assert.Equal(2, rqlite.Requests.Count);
    }

    [Theory]
    [InlineData("EOF")]
    [InlineData("write protobuf bytes: write tcp 127.0.0.1:51098->127.0.0.1:22709: write: broken pipe")]
    public async Task A_backup_whose_forward_to_the_leader_broke_is_tried_again(string words)
    {
        var rqlite = new FakeRqlite()
            .Answer(1, _ => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent(words) })
            .Answer(2, _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) });
        using var copy = new MemoryStream();

        await rqlite.Client().BackupAsync(copy);

        Assert.Equal([1, 2, 3], copy.ToArray());
        Assert.Equal(2, rqlite.Requests.Count);
    }

    [Fact]
    public async Task A_backup_and_a_load_ask_a_follower_for_the_leader_and_go_there()
    {
        static HttpResponseMessage ToLeader(HttpRequestMessage request) => new(HttpStatusCode.MovedPermanently)
        {
            Headers = { Location = new Uri(FakeRqlite.Node(2), request.RequestUri!.PathAndQuery) },
        };
        var rqlite = new FakeRqlite()
            .Answer(1, ToLeader)
            .Answer(2, _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1, 2, 3]) })
            .Answer(1, ToLeader)
            .Json(2, """{"results":[]}""");
        var client = rqlite.Client();

        await client.BackupAsync(Stream.Null);
        await client.LoadAsync(() => new MemoryStream([1, 2, 3]));

        Assert.Equal(
            ["127.0.0.1:4001/db/backup?redirect", "127.0.0.1:4002/db/backup?redirect", "127.0.0.1:4001/db/load?redirect", "127.0.0.1:4002/db/load?redirect"],
            rqlite.Requests.Select(r => r.Node + r.PathAndQuery));
    }

    [Fact]
    public async Task Any_other_server_error_is_not_tried_again()
    {
        var rqlite = new FakeRqlite().Json(1, "disk I/O error", HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<RqliteException>(() => rqlite.Client().BackupAsync(Stream.Null));

        Assert.Contains("disk I/O error", error.Message);
        Assert.Single(rqlite.Requests);
    }

    [Fact]
    public async Task A_write_whose_outcome_is_unknown_is_not_resent()
    {
        var rqlite = new FakeRqlite().DropAfterSending(1).Json(2, """{"results":[{"rows_affected":1}]}""");

        var error = await Assert.ThrowsAsync<RqliteException>(() => rqlite.Client().ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (1)")));

        Assert.Contains("outcome is unknown", error.Message);
        Assert.Single(rqlite.Requests);
    }

    [Fact]
    public async Task An_idempotent_write_is_resent_when_its_outcome_is_unknown()
    {
        var rqlite = new FakeRqlite().DropAfterSending(1).Json(2, """{"results":[{"rows_affected":0}]}""");

        var result = await rqlite.Client().ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING"), idempotent: true);

        Assert.Equal(0, result.RowsAffected);
        Assert.Equal(2, rqlite.Requests.Count);
    }

    [Fact]
    public async Task Rejected_credentials_fail_at_once_without_failover()
    {
        var rqlite = new FakeRqlite().Json(1, "unauthorized", HttpStatusCode.Unauthorized);

        await Assert.ThrowsAsync<RqliteException>(() => rqlite.Client().QueryAsync(SqlStatement.Of("SELECT 1")));

        Assert.Single(rqlite.Requests);
    }

    [Fact]
    public async Task Every_request_carries_basic_credentials()
    {
        string? authorization = null;
        var rqlite = new FakeRqlite().Answer(1, request =>
        {
            authorization = request.Headers.Authorization?.ToString();
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"results":[{}]}""") };
        });

        await rqlite.Client().QueryAsync(SqlStatement.Of("SELECT 1"));

        Assert.Equal($"Basic {Convert.ToBase64String("hermit:secret"u8)}", authorization);
    }

    [Fact]
    public async Task When_no_node_answers_the_error_says_how_many_were_reachable()
    {
        var rqlite = new FakeRqlite();

        var error = await Assert.ThrowsAsync<RqliteUnavailableException>(() => rqlite.Client().QueryAsync(SqlStatement.Of("SELECT 1")));

        Assert.Equal(0, error.ReachableNodes);
        Assert.Equal(3, error.TotalNodes);
        Assert.True(rqlite.Requests.Count >= 6, "it should have gone round the nodes more than once, with backoff");
    }

    [Fact]
    public void Nodes_are_read_from_the_v2_list_form()
    {
        var nodes = RqliteClient.ParseNodes(JsonDocument.Parse("""
            {"nodes":[{"id":"b","api_addr":"http://127.0.0.1:4003","addr":"127.0.0.1:4004","voter":true,"reachable":false,"leader":false,"error":"dial tcp: refused"},
                      {"id":"a","api_addr":"http://127.0.0.1:4001","addr":"127.0.0.1:4002","voter":true,"reachable":true,"leader":true}]}
            """).RootElement);

        Assert.Equal(["a", "b"], nodes.Select(n => n.Id));
        Assert.True(nodes[0].Leader);
        Assert.Equal("dial tcp: refused", nodes[1].Error);
    }

    [Fact]
    public void The_connection_string_lists_every_node()
    {
        var settings = new RqliteClientSettings();
        settings.ParseConnectionString("Endpoints=http://127.0.0.1:4001,http://127.0.0.1:4003;Username=hermit;Password=p4ss");

        Assert.Equal(["http://127.0.0.1:4001/", "http://127.0.0.1:4003/"], settings.Endpoints.Select(e => e.ToString()));
        Assert.Equal("hermit", settings.Username);
        Assert.Equal("p4ss", settings.Password);
    }

    [Fact]
    public async Task Without_any_leader_a_read_for_people_serves_a_reachable_node_own_data_marked_stale()
    {
        var fake = new FakeRqlite();
        for (var i = 0; i < 100; i++)
        {
            fake.Answer(1, request => request.RequestUri!.Query.Contains("level=none")
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"results":[{"columns":["n"],"types":["integer"],"values":[[7]]}]}""") }
                : new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("leader not found") });
        }

        var result = await fake.Client().QueryOrStaleAsync(SqlStatement.Of("SELECT count(*) FROM notes"));

        Assert.True(result.Stale);
        Assert.Equal(7, result.Rows[0].GetInt64(0));
        Assert.Contains(fake.Requests, r => r.PathAndQuery.Contains("level=weak"));
    }

    [Fact]
    public async Task With_a_leader_a_read_for_people_is_not_stale()
    {
        var fake = new FakeRqlite().Json(1, """{"results":[{"columns":["n"],"types":["integer"],"values":[[7]]}]}""");

        var result = await fake.Client().QueryOrStaleAsync(SqlStatement.Of("SELECT count(*) FROM notes"));

        Assert.False(result.Stale);
        Assert.DoesNotContain(fake.Requests, r => r.PathAndQuery.Contains("level=none"));
    }

    [Fact]
    public async Task With_no_node_reachable_a_read_for_people_fails_as_unavailable()
    {
        await Assert.ThrowsAsync<RqliteUnavailableException>(() => new FakeRqlite().Client().QueryOrStaleAsync(SqlStatement.Of("SELECT 1")));
    }

    [Theory]
    [InlineData("not leader")]
    [InlineData("leadership transfer in progress")]
    public async Task A_write_no_leader_took_into_its_log_is_retried_even_when_not_idempotent(string refusal)
    {
        var rqlite = new FakeRqlite()
            .Json(1, $$"""{"error":"node failed to process Execute on remote node at 127.0.0.1:4002: {{refusal}}"}""")
            .Json(2, """{"results":[{"rows_affected":1}]}""");

        var result = await rqlite.Client().ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (1)"));

        Assert.Equal(1, result.RowsAffected);
    }

    [Fact]
    public async Task A_broken_forward_to_the_leader_is_an_unknown_outcome_for_a_plain_write()
    {
        var rqlite = new FakeRqlite()
            .Json(1, """{"error":"node failed to process Execute on remote node at 127.0.0.1:4002: write: broken pipe"}""")
            .Json(2, """{"results":[{"rows_affected":1}]}""");

        await Assert.ThrowsAsync<RqliteException>(() => rqlite.Client().ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (1)")));
        Assert.Single(rqlite.Requests);
    }

    [Fact]
    public async Task Requests_go_to_the_node_that_says_it_leads()
    {
        var rqlite = new FakeRqlite { Leader = 2 };
        var client = LeaderFollowing(rqlite);

        await UntilSentToAsync(rqlite, client, node: 2);
        for (var i = 0; i < 5; i++)
        {
            await client.QueryAsync(SqlStatement.Of("SELECT 1"));
        }

        Assert.All(rqlite.Requests.TakeLast(5), r => Assert.Equal(FakeRqlite.Node(2).Authority, r.Node));
    }

    [Fact]
    public async Task After_the_leader_fails_requests_follow_the_new_leader()
    {
        var rqlite = new FakeRqlite { Leader = 1 };
        var client = LeaderFollowing(rqlite);
        await UntilSentToAsync(rqlite, client, node: 1);

        rqlite.Down.Add(1);
        rqlite.Leader = 3;

        await UntilSentToAsync(rqlite, client, node: 3);
    }

    /// <summary>A client that looks for the leader, of three nodes that each answer reads.</summary>
    private static RqliteClient LeaderFollowing(FakeRqlite rqlite)
    {
        for (var node = 1; node <= 3; node++)
        {
            for (var i = 0; i < 200; i++)
            {
                rqlite.Json(node, """{"results":[{"columns":["n"],"types":["integer"],"values":[[1]]}]}""");
            }
        }
        return rqlite.Client(preferLeader: true);
    }

    /// <summary>Sends reads until one goes to <paramref name="node"/> first: the client looks for the leader in the background.</summary>
    private static async Task UntilSentToAsync(FakeRqlite rqlite, RqliteClient client, int node)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var before = rqlite.Requests.Count;
            await client.QueryAsync(SqlStatement.Of("SELECT 1"));
            if (rqlite.Requests[before].Node == FakeRqlite.Node(node).Authority)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"requests never went to node {node} first");
            await Task.Delay(10);
        }
    }
}
