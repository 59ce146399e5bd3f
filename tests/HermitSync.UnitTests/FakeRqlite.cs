using System.Net;
using System.Net.Sockets;
using System.Text;
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

    public RqliteClient Client(int nodes = 3, TimeSpan? failoverTimeout = null)
    {
        var settings = new RqliteClientSettings
        {
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
        Requests.Add((node, request.RequestUri.PathAndQuery, body));
        if (_answers.TryGetValue(node, out var queue) && queue.Count > 0)
        {
            return queue.Dequeue()(request);
        }
        throw new HttpRequestException(HttpRequestError.ConnectionError, $"{node} has no scripted answer (connection refused)");
    }
}
