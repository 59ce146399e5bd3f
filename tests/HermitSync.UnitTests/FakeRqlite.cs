using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.UnitTests;

/// <summary>
/// Scripted HTTP answers per node, for testing the client's own logic (failover, parsing)
/// in isolation. Real rqlite behaviour is covered by the integration tests.
/// </summary>
internal sealed class FakeRqlite : HttpMessageHandler
{
    private readonly Dictionary<string, Queue<Func<HttpRequestMessage, HttpResponseMessage>>> _answers = new();

    public List<(string Node, string PathAndQuery, string? Body)> Requests { get; } = [];

    /// <summary>The node whose <c>/status</c> says it leads; the others say they follow. Status requests are answered apart from the script and not recorded.</summary>
    public int? Leader { get; set; }

    /// <summary>Nodes that refuse every connection, <c>/status</c> included.</summary>
    public HashSet<int> Down { get; } = [];

    public static Uri Node(int i) => new($"http://127.0.0.1:{4000 + i}");

    public FakeRqlite Answer(int node, Func<HttpRequestMessage, HttpResponseMessage> answer)
    {
        var key = Node(node).Authority;
        if (!_answers.TryGetValue(key, out var queue))
        {
            _answers[key] = queue = new();
        }
        queue.Enqueue(answer);
        return this;
    }

    public FakeRqlite Json(int node, string json, HttpStatusCode status = HttpStatusCode.OK) =>
        Answer(node, _ => new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    public FakeRqlite Refuse(int node) =>
        Answer(node, _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused)));

    public FakeRqlite DropAfterSending(int node) =>
        Answer(node, _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

    /// <summary>A client of the scripted nodes; it looks for the leader only with <paramref name="preferLeader"/>, since its checks would take scripted answers.</summary>
    public RqliteClient Client(int nodes = 3, TimeSpan? failoverTimeout = null, bool preferLeader = false)
    {
        var settings = new RqliteClientSettings
        {
            PreferLeader = preferLeader,
            LeaderSearchInterval = TimeSpan.FromMilliseconds(20),
            Username = "hermit",
            Password = "secret",
            FailoverTimeout = failoverTimeout ?? TimeSpan.FromMilliseconds(300),
            StaleReadAfter = TimeSpan.FromMilliseconds(300),
        };
        for (var i = 1; i <= nodes; i++)
        {
            settings.Endpoints.Add(Node(i));
        }
        var http = new HttpClient(this);
        return new RqliteClient(() => http, settings);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var node = request.RequestUri!.Authority;
        if (Down.Any(down => Node(down).Authority == node))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{node} is down (connection refused)");
        }
        if (Leader is { } leader && request.RequestUri.AbsolutePath == "/status")
        {
            var state = Node(leader).Authority == node ? "Leader" : "Follower";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(JsonSerializer.Serialize(new { store = new { raft = new { state } } })) };
        }
        Requests.Add((node, request.RequestUri.PathAndQuery, body));
        if (_answers.TryGetValue(node, out var queue) && queue.Count > 0)
        {
            return queue.Dequeue()(request);
        }
        throw new HttpRequestException(HttpRequestError.ConnectionError, $"{node} has no scripted answer (connection refused)");
    }
}
