using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HermitSync.Rqlite;

/// <summary>
/// Talks to an rqlite cluster over its HTTP API. It keeps every node's address, goes to the
/// leader first (<see cref="LeaderPreference"/>), and fails over to the next node with backoff
/// when a node is down or has no leader. A write is only re-sent when it provably did not
/// reach rqlite, unless the caller marks it idempotent.
/// </summary>
public sealed class RqliteClient
{
    public const string ActivitySourceName = "HermitSync.Rqlite";
    public const string MeterName = "HermitSync.Rqlite";

    private static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    private static readonly Meter Meter = new(MeterName);

    /// <summary>One HTTP request to one node, so a slow or failing node stands out from the rest.</summary>
    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "hermit.rqlite.request.duration", unit: "s", description: "One HTTP request to one rqlite node, by node and path");
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);

    private readonly Func<HttpClient> _httpClient;
    private readonly RqliteClientSettings _settings;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly AuthenticationHeaderValue? _monitorAuthorization;
    private readonly ILogger _logger;
    private readonly LeaderPreference _leader;
    private long _writtenBytes;

    public RqliteClient(Func<HttpClient> httpClient, RqliteClientSettings settings, ILogger<RqliteClient>? logger = null)
    {
        if (settings.Endpoints.Count == 0)
        {
            throw new ArgumentException("rqlite needs at least one node endpoint.", nameof(settings));
        }
        _httpClient = httpClient;
        _settings = settings;
        _logger = logger ?? NullLogger<RqliteClient>.Instance;
        _authorization = Basic(settings.Username, settings.Password);
        _monitorAuthorization = Basic(settings.MonitorUsername, settings.MonitorPassword) ?? _authorization;
        _leader = new LeaderPreference(settings.Endpoints, LeadsAsync, settings, _logger);
    }

    private static AuthenticationHeaderValue? Basic(string? username, string? password) =>
        username is null ? null : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));

    /// <summary>
    /// A client for an AppHost's connection string (<c>Endpoints=http://a,http://b;Username=u;Password=p</c>),
    /// for code without dependency injection: the AppHost's own checks, tests and benchmarks.
    /// </summary>
    public static RqliteClient Create(string connectionString, Action<RqliteClientSettings>? configure = null)
    {
        var settings = new RqliteClientSettings();
        settings.ParseConnectionString(connectionString);
        configure?.Invoke(settings);
        return new RqliteClient(() => RqliteHttp.Shared, settings);
    }

    public IReadOnlyList<Uri> Nodes => _settings.Endpoints;

    /// <summary>What this client has sent to be written so far, in bytes of statements: each request one entry in every node's Raft log.</summary>
    public long WrittenBytes => Interlocked.Read(ref _writtenBytes);

    public async Task<RqliteResult> ExecuteAsync(SqlStatement statement, bool idempotent = false, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync([statement], transaction: false, idempotent, cancellationToken))[0];

    /// <summary>
    /// Runs writes. With <paramref name="transaction"/> the batch is atomic: a failing
    /// statement rolls back all of them.
    /// </summary>
    public Task<IReadOnlyList<RqliteResult>> ExecuteAsync(
        IReadOnlyList<SqlStatement> statements, bool transaction = true, bool idempotent = false, CancellationToken cancellationToken = default)
    {
        var path = transaction ? "/db/execute?transaction" : "/db/execute";
        return SendStatementsAsync("execute", path, statements, retryWhenOutcomeUnknown: idempotent, cancellationToken);
    }

    /// <summary>
    /// Runs reads and writes together through the unified endpoint; with
    /// <paramref name="transaction"/> a write and the read of its outcome are one atomic step.
    /// </summary>
    public Task<IReadOnlyList<RqliteResult>> RequestAsync(
        IReadOnlyList<SqlStatement> statements, bool transaction = true, bool idempotent = false, CancellationToken cancellationToken = default)
    {
        var path = transaction ? "/db/request?transaction&level=strong" : "/db/request?level=strong";
        return SendStatementsAsync("request", path, statements, retryWhenOutcomeUnknown: idempotent, cancellationToken);
    }

    public async Task<RqliteResult> QueryAsync(SqlStatement statement, ReadConsistency level = ReadConsistency.Weak, CancellationToken cancellationToken = default) =>
        (await QueryAsync([statement], level, cancellationToken))[0];

    public Task<IReadOnlyList<RqliteResult>> QueryAsync(
        IReadOnlyList<SqlStatement> statements, ReadConsistency level = ReadConsistency.Weak, CancellationToken cancellationToken = default) =>
        SendStatementsAsync("query", $"/db/query?level={LevelName(level)}", statements, retryWhenOutcomeUnknown: true, cancellationToken);

    /// <summary>
    /// A read for people: through the leader while there is one; when the cluster has lost its
    /// quorum, whatever a reachable node holds, marked <see cref="RqliteResult.Stale"/>, so
    /// notes stay readable through an outage.
    /// </summary>
    public async Task<RqliteResult> QueryOrStaleAsync(SqlStatement statement, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await SendStatementsAsync("query", $"/db/query?level={LevelName(ReadConsistency.Weak)}", [statement], retryWhenOutcomeUnknown: true, cancellationToken, _settings.StaleReadAfter))[0];
        }
        catch (RqliteUnavailableException e) when (e.ReachableNodes > 0)
        {
            _logger.LogWarning("The rqlite cluster has no leader; serving a stale read from a reachable node");
            return (await QueryAsync(statement, ReadConsistency.None, cancellationToken)).AsStale();
        }
    }

    /// <summary>Asks one specific node, without failover; for checks that are about that node.</summary>
    public async Task<RqliteResult> QueryNodeAsync(Uri node, SqlStatement statement, ReadConsistency level, CancellationToken cancellationToken = default)
    {
        using var activity = StartActivity("query", [statement]);
        var content = SerializeStatements([statement]);
        using var response = await SendOnceAsync(node, () => JsonRequest($"/db/query?level={LevelName(level)}", content), activity, cancellationToken);
        return (await ReadResultsAsync(response, [statement], cancellationToken))[0];
    }

    /// <summary>
    /// Streams a consistent SQLite copy of the database into <paramref name="destination"/>.
    /// Like a load, it asks a follower to redirect to the leader (<c>?redirect</c>) rather than
    /// forward: rqlite 8.26 pipes a forwarded stream through a pooled cluster connection, which
    /// can break under it (<c>EOF</c>, <c>write: broken pipe</c>).
    /// </summary>
    public Task BackupAsync(Stream destination, CancellationToken cancellationToken = default) =>
        SendAsync(
            "backup",
            () => new HttpRequestMessage(HttpMethod.Get, "/db/backup?redirect"),
            async (response, ct) =>
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                await body.CopyToAsync(destination, ct);
                return true;
            },
            retryWhenOutcomeUnknown: true,
            statements: null,
            cancellationToken);

    /// <summary>
    /// Replaces the whole database, on every node, with the SQLite file <paramref name="open"/>
    /// returns (<c>/db/load</c>, through Raft). It opens the file again for each attempt. rqlite
    /// runs anything that is not a SQLite file as SQL text, so check the file first.
    /// </summary>
    public Task LoadAsync(Func<Stream> open, CancellationToken cancellationToken = default) =>
        SendAsync(
            "load",
            () => new HttpRequestMessage(HttpMethod.Post, "/db/load?redirect")
            {
                Content = new StreamContent(open()) { Headers = { ContentType = new("application/octet-stream") } },
            },
            async (response, ct) =>
            {
                // rqlite reports a refused load inside a 200, as it does a statement's error.
                var root = await ReadJsonAsync(response, ct);
                var errors = root.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array
                    ? results.EnumerateArray().Where(r => r.TryGetProperty("error", out _)).Select(r => r.GetProperty("error").ToString()).ToArray()
                    : [];
                if (root.TryGetProperty("error", out var error) || errors.Length > 0)
                {
                    throw new RqliteException($"rqlite refused the load: {string.Join("; ", errors.Prepend(error.ToString()).Where(e => e.Length > 0))}");
                }
                return true;
            },
            retryWhenOutcomeUnknown: true,
            statements: null,
            cancellationToken);

    /// <summary>The cluster's members, as seen by whichever node answers.</summary>
    public Task<IReadOnlyList<RqliteNode>> GetNodesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<RqliteNode>>(
            "nodes",
            () => Monitoring(new HttpRequestMessage(HttpMethod.Get, "/nodes?ver=2&timeout=2s")),
            async (response, ct) => ParseNodes(await ReadJsonAsync(response, ct)),
            retryWhenOutcomeUnknown: true,
            statements: null,
            cancellationToken);

    /// <summary>How far one node has applied the Raft log, from its <c>/status</c>; null when it does not say.</summary>
    public async Task<long?> GetAppliedIndexAsync(Uri node, CancellationToken cancellationToken = default) =>
        await GetRaftStatusAsync(node, cancellationToken) is { } raft && raft.TryGetProperty("applied_index", out var index) && index.TryGetInt64(out var applied)
            ? applied
            : null;

    /// <summary>Whether this one node says it is the leader; false when it does not answer.</summary>
    private async Task<bool> LeadsAsync(Uri node) =>
        await GetRaftStatusAsync(node, CancellationToken.None) is { } raft
        && raft.TryGetProperty("state", out var state) && state.ValueEquals("Leader");

    /// <summary>The <c>store.raft</c> part of one node's <c>/status</c>; null when the node does not answer or say.</summary>
    private async Task<JsonElement?> GetRaftStatusAsync(Uri node, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendOnceAsync(node, () => Monitoring(new HttpRequestMessage(HttpMethod.Get, "/status")), activity: null, cancellationToken);
            var status = await ReadJsonAsync(response, cancellationToken);
            return status.TryGetProperty("store", out var store) && store.TryGetProperty("raft", out var raft) ? raft : null;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Whether this one node answers <c>/readyz</c>: it is up and knows a leader.</summary>
    public async Task<bool> IsReadyAsync(Uri node, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await SendOnceAsync(node, () => Monitoring(new HttpRequestMessage(HttpMethod.Get, "/readyz")), activity: null, cancellationToken);
            return true;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Task<IReadOnlyList<RqliteResult>> SendStatementsAsync(
        string operation, string path, IReadOnlyList<SqlStatement> statements, bool retryWhenOutcomeUnknown, CancellationToken cancellationToken, TimeSpan? failoverTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(statements.Count);
        var content = SerializeStatements(statements);
        // Executes and requests each become an entry of the Raft log; queries do not.
        if (operation != "query")
        {
            Interlocked.Add(ref _writtenBytes, content.Length);
        }
        return SendAsync(
            operation,
            () => JsonRequest(path, content),
            (response, ct) => ReadResultsAsync(response, statements, ct),
            retryWhenOutcomeUnknown,
            statements,
            cancellationToken,
            failoverTimeout);
    }

    /// <summary>Asks as the monitor user, which may read the cluster's state and nothing else.</summary>
    private HttpRequestMessage Monitoring(HttpRequestMessage request)
    {
        request.Headers.Authorization = _monitorAuthorization;
        return request;
    }

    private static HttpRequestMessage JsonRequest(string path, byte[] content) =>
        new(HttpMethod.Post, path)
        {
            Content = new ByteArrayContent(content) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };

    private async Task<T> SendAsync<T>(
        string operation,
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, CancellationToken, Task<T>> readResponse,
        bool retryWhenOutcomeUnknown,
        IReadOnlyList<SqlStatement>? statements,
        CancellationToken cancellationToken,
        TimeSpan? failoverTimeout = null)
    {
        var giveUpAfter = failoverTimeout ?? _settings.FailoverTimeout;
        using var activity = StartActivity(operation, statements);
        var deadline = Stopwatch.StartNew();
        var backoff = FirstBackoff;
        var attempts = 0;
        var nodes = _settings.Endpoints;
        Exception? lastFailure = null;
        try
        {
            while (true)
            {
                var unreachable = 0;
                var first = _leader.First;
                for (var i = 0; i < nodes.Count; i++)
                {
                    var index = (first + i) % nodes.Count;
                    attempts++;
                    try
                    {
                        using var response = await SendOnceAsync(nodes[index], createRequest, activity, cancellationToken);
                        var result = await readResponse(response, cancellationToken);
                        _leader.Answered(index);
                        activity?.SetTag("rqlite.attempts", attempts);
                        return result;
                    }
                    catch (NodeUnavailableException e)
                    {
                        _leader.Failed();
                        if (!e.NotApplied && !retryWhenOutcomeUnknown)
                        {
                            throw new RqliteException($"rqlite {operation} outcome is unknown: {e.Message}", e);
                        }
                        unreachable += e.Reachable ? 0 : 1;
                        lastFailure = e;
                        _logger.LogDebug("rqlite node {Node} could not serve {Operation}: {Reason}", nodes[index], operation, e.Message);
                    }
                }

                if (deadline.Elapsed + backoff > giveUpAfter)
                {
                    throw new RqliteUnavailableException(
                        $"No rqlite node could serve {operation} within {giveUpAfter.TotalSeconds:0.#} s ({nodes.Count - unreachable} of {nodes.Count} nodes reachable): {lastFailure?.Message}",
                        nodes.Count - unreachable,
                        nodes.Count,
                        lastFailure);
                }
                await Task.Delay(backoff, cancellationToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetTag("rqlite.attempts", attempts);
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            activity.AddException(e);
            throw;
        }
    }

    /// <summary>
    /// One request to one node. Throws <see cref="NodeUnavailableException"/> for failures
    /// another node might not have, and <see cref="RqliteException"/> for ones it would.
    /// </summary>
    private async Task<HttpResponseMessage> SendOnceAsync(Uri node, Func<HttpRequestMessage> createRequest, Activity? activity, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.RequestTimeout);
        var target = node;
        // One hop is enough: a node redirects only to the leader it knows.
        for (var hop = 0; hop < 2; hop++)
        {
            using var request = createRequest();
            request.RequestUri = new Uri(target, request.RequestUri!.OriginalString);
            request.Headers.Authorization ??= _authorization;
            activity?.SetTag("server.address", target.Host);
            activity?.SetTag("server.port", target.Port);

            HttpResponseMessage? response = null;
            var started = Stopwatch.GetTimestamp();
            try
            {
                response = await _httpClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (HttpRequestException e)
            {
                // A refused connection never carried the request; anything later might have.
                throw new NodeUnavailableException(e.Message, notApplied: e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError, reachable: false, e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new NodeUnavailableException($"no answer within {_settings.RequestTimeout.TotalSeconds:0.#} s", notApplied: false, reachable: false, e);
            }
            finally
            {
                RecordDuration(started, target, request.RequestUri!, response);
            }

            if (response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect
                && response.Headers.Location is { } location)
            {
                response.Dispose();
                target = new Uri(location.GetLeftPart(UriPartial.Authority));
                continue;
            }
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var body = await ReadErrorBodyAsync(response, timeout.Token);
                throw response.StatusCode switch
                {
                    HttpStatusCode.ServiceUnavailable => new NodeUnavailableException($"503 from {target.Authority}: {body}", notApplied: true, reachable: true),
                    // A backup or load that meets the node's own Raft snapshot is refused before it starts; it succeeds once the snapshot ends.
                    _ when body.Contains(SnapshotInProgress, StringComparison.OrdinalIgnoreCase) =>
                        new NodeUnavailableException($"{(int)response.StatusCode} from {target.Authority}: {body}", notApplied: true, reachable: true),
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new RqliteException($"rqlite refused the credentials ({(int)response.StatusCode})."),
                    // A forward to the leader that broke is about the path, not the request: as at top level.
                    HttpStatusCode.InternalServerError when ForwardBroke(body) => TopLevelError($"500 from {target.Authority}: {body}"),
                    _ => new RqliteException($"rqlite answered {(int)response.StatusCode}: {body}"),
                };
            }
        }
        throw new NodeUnavailableException($"{node.Authority} redirected more than once", notApplied: true, reachable: true);
    }

    private static void RecordDuration(long started, Uri node, Uri path, HttpResponseMessage? response) =>
        RequestDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new("server.address", node.Host),
            new("server.port", node.Port),
            new("url.path", path.AbsolutePath),
            response is null ? new("error.type", "unanswered") : new("http.response.status_code", (int)response.StatusCode));

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Length > 500 ? body[..500] : body.Trim();
    }

    private static Activity? StartActivity(string operation, IReadOnlyList<SqlStatement>? statements)
    {
        var activity = ActivitySource.StartActivity($"rqlite {operation}", ActivityKind.Client);
        // A span of a trace the sampler dropped carries the context on and nothing else.
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }
        activity.SetTag("db.system.name", "rqlite");
        activity.SetTag("db.operation.name", operation);
        if (statements is { Count: > 0 })
        {
            // Only the parameterized SQL is recorded; parameter values never leave the process.
            activity.SetTag("db.query.text", statements[0].Sql);
            activity.SetTag("db.operation.batch.size", statements.Count);
        }
        return activity;
    }

    /// <summary>rqlite's words when the store's snapshot lock is taken: <c>CAS conflict: currently held by owner "snapshot"</c>.</summary>
    private const string SnapshotInProgress = "CAS conflict";

    /// <summary>
    /// rqlite's words for a request no leader took into its log: none known, the dial or the send
    /// of a forward failed, the node has not opened its store yet, or the leader is handing over
    /// to another (Raft refuses a command then, before it logs it).
    /// </summary>
    private static readonly string[] NeverApplied = ["not leader", "leader not found", "dial tcp", "write protobuf bytes", "connection refused", "store not open", "leadership transfer in progress"];

    /// <summary>rqlite's words when the connection of a forward to the leader failed midway; what the leader did is unknown.</summary>
    private static readonly string[] ForwardFailed = ["EOF", "broken pipe", "connection reset"];

    private static bool ForwardBroke(string body) =>
        NeverApplied.Concat(ForwardFailed).Any(sign => body.Contains(sign, StringComparison.OrdinalIgnoreCase));

    /// <summary>The JSON body rqlite takes: an array of statements, each the SQL then its values.</summary>
    public static byte[] SerializeStatements(IReadOnlyList<SqlStatement> statements)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SqlJson.Encoder }))
        {
            writer.WriteStartArray();
            foreach (var statement in statements)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(statement.Sql);
                if (statement.NamedParameters is { } named)
                {
                    writer.WriteStartObject();
                    foreach (var (name, value) in named)
                    {
                        writer.WritePropertyName(name);
                        value.WriteTo(writer);
                    }
                    writer.WriteEndObject();
                }
                foreach (var value in statement.Parameters)
                {
                    value.WriteTo(writer);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return document.RootElement.Clone();
    }

    private static async Task<IReadOnlyList<RqliteResult>> ReadResultsAsync(HttpResponseMessage response, IReadOnlyList<SqlStatement> statements, CancellationToken cancellationToken) =>
        ParseResults(await ReadBodyAsync(response, cancellationToken), statements);

    /// <summary>
    /// The whole body in an array of its own. A result can be megabytes (a change file's
    /// revisions); parsed through <see cref="JsonDocument"/> it would leave buffers of that size
    /// in the process's shared array pool, which keeps them long after the work that needed them.
    /// </summary>
    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        if (response.Content.Headers.ContentLength is { } length and <= int.MaxValue)
        {
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, cancellationToken);
            return body;
        }
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }

    /// <summary>rqlite reports statement errors inside <c>results</c> with a 200 status, so every result is checked.</summary>
    internal static IReadOnlyList<RqliteResult> ParseResults(ReadOnlySpan<byte> json, IReadOnlyList<SqlStatement> statements)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new RqliteException("rqlite answered with something other than a JSON object.");
            }
            string? topError = null;
            List<RqliteResult>? parsed = null;
            RqliteStatementException? statementError = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    topError = reader.TokenType == JsonTokenType.String ? reader.GetString() : "unknown error";
                }
                else if (reader.ValueTextEquals("results"u8) && reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                {
                    parsed = [];
                    while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                    {
                        var index = parsed.Count;
                        var (result, error) = ReadResult(ref reader);
                        statementError ??= error is null ? null : new RqliteStatementException(index, index < statements.Count ? statements[index].Sql : "", error);
                        parsed.Add(result);
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            if (topError is not null)
            {
                throw TopLevelError(topError);
            }
            if (parsed is null)
            {
                throw new RqliteException("rqlite answered without results.");
            }
            if (statementError is not null)
            {
                throw statementError;
            }
            if (parsed.Count != statements.Count)
            {
                throw new RqliteException($"rqlite returned {parsed.Count} results for {statements.Count} statements.");
            }
            return parsed;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new RqliteException($"rqlite answered with JSON of another shape: {e.Message}", e);
        }
    }

    /// <summary>One element of <c>results</c>, the reader on its start; returns with the reader on its end.</summary>
    private static (RqliteResult Result, string? Error) ReadResult(ref Utf8JsonReader reader)
    {
        string[] columns = [];
        string[] types = [];
        var rows = new List<RqliteRow>();
        long? lastInsertId = null;
        long rowsAffected = 0;
        string? error = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("columns"u8))
            {
                columns = ReadStrings(ref reader);
            }
            else if (reader.ValueTextEquals("types"u8))
            {
                types = ReadStrings(ref reader);
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                {
                    rows.Add(new RqliteRow(ReadValues(ref reader, columns.Length), types));
                }
            }
            else if (reader.ValueTextEquals("last_insert_id"u8))
            {
                reader.Read();
                lastInsertId = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("rows_affected"u8))
            {
                reader.Read();
                rowsAffected = reader.GetInt64();
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = reader.TokenType == JsonTokenType.String ? reader.GetString() : "unknown error";
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return (new RqliteResult(columns, types, rows, lastInsertId, rowsAffected), error);
    }

    private static string[] ReadStrings(ref Utf8JsonReader reader)
    {
        reader.Read();
        var strings = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            strings.Add(reader.GetString() ?? "");
        }
        return [.. strings];
    }

    /// <summary>A row's values, the reader on the row's start; returns with the reader on its end.</summary>
    private static RqliteValue[] ReadValues(ref Utf8JsonReader reader, int expected)
    {
        var values = new List<RqliteValue>(expected);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(reader.TokenType switch
            {
                JsonTokenType.String => RqliteValue.String(reader.GetString()!),
                JsonTokenType.Number => RqliteValue.Number(Encoding.UTF8.GetString(reader.ValueSpan)),
                JsonTokenType.True => RqliteValue.Boolean(true),
                JsonTokenType.False => RqliteValue.Boolean(false),
                JsonTokenType.Null => RqliteValue.Null,
                _ => throw new RqliteException($"rqlite answered with a {reader.TokenType} where a column's value belongs."),
            });
        }
        return [.. values];
    }

    /// <summary>
    /// A top-level error (as opposed to one inside <c>results</c>) is about the node or the
    /// cluster, not the statements: no leader, a node still opening its store, a forward that
    /// broke. Another try, perhaps elsewhere, may work. It is safe to re-send when rqlite's
    /// words say no leader took it into its log; otherwise only an idempotent one is.
    /// </summary>
    private static Exception TopLevelError(string error) =>
        new NodeUnavailableException(error, notApplied: NeverApplied.Any(sign => error.Contains(sign, StringComparison.OrdinalIgnoreCase)), reachable: true);

    /// <summary>Reads <c>/nodes?ver=2</c> (<c>{"nodes":[…]}</c>) and the older map form alike.</summary>
    internal static IReadOnlyList<RqliteNode> ParseNodes(JsonElement root)
    {
        var entries = root.TryGetProperty("nodes", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray()
            : root.EnumerateObject().Select(p => p.Value);
        return entries
            .Select(n => new RqliteNode(
                Id: n.GetProperty("id").GetString() ?? "",
                ApiAddress: n.TryGetProperty("api_addr", out var api) ? api.GetString() ?? "" : "",
                RaftAddress: n.TryGetProperty("addr", out var addr) ? addr.GetString() ?? "" : "",
                Voter: n.TryGetProperty("voter", out var voter) && voter.GetBoolean(),
                Reachable: n.TryGetProperty("reachable", out var reachable) && reachable.GetBoolean(),
                Leader: n.TryGetProperty("leader", out var leader) && leader.GetBoolean(),
                Error: n.TryGetProperty("error", out var error) ? error.GetString() : null))
            .OrderBy(n => n.Id, StringComparer.Ordinal)
            .ToArray();
    }

    private static string LevelName(ReadConsistency level) => level switch
    {
        ReadConsistency.None => "none",
        ReadConsistency.Weak => "weak",
        ReadConsistency.Linearizable => "linearizable",
        ReadConsistency.Strong => "strong",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };
}
