using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Faults;

/// <summary>
/// What a client of the load saw instead of an acknowledgement: an answer (<see cref="Status"/>,
/// <see cref="ContentType"/>), or none within its timeout (<see cref="TimedOut"/>), or a failed connection.
/// </summary>
public sealed record LoadError(string Phase, HttpStatusCode? Status, string? ContentType, bool TimedOut, double Seconds, string Detail)
{
    public override string ToString() => $"({Phase}) after {Seconds:0.000} s: {(TimedOut ? "timed out" : Status is { } status ? $"{(int)status} {ContentType}" : "no answer")}: {Detail}";
}

/// <summary>
/// A continuous create load against the API, as clients that behave well: each note has a
/// client-chosen id, and a failed or timed-out create is retried with the same id until it is
/// acknowledged. It records every acknowledgement, and every error clients saw, by phase.
/// </summary>
public sealed class WriteLoad : IAsyncDisposable
{
    /// <summary>Every note the load writes has a title that starts so, and no other note does.</summary>
    private const string TitlePrefix = "load ";

    private readonly HttpClient _api;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abandon = new();
    private readonly ConcurrentDictionary<Guid, string> _acknowledged = new();
    private readonly ConcurrentQueue<LoadError> _errors = new();
    private readonly ConcurrentQueue<(string Phase, double Seconds)> _latencies = new();
    private readonly ConcurrentQueue<(long Sent, long At)> _acks = new();
    private readonly Task[] _writers;
    private readonly int _padding;
    private int _attempted;
    private volatile string _phase = "steady";

    /// <param name="api">A client for the API, holding its credential; the load owns it from now on.</param>
    /// <param name="timeout">How long a client waits for an answer before it gives up on one attempt.</param>
    /// <param name="padding">Random text added to each body, which compresses little: large notes make large change files.</param>
    public WriteLoad(HttpClient api, int writers, TimeSpan? timeout = null, int padding = 0)
    {
        _padding = padding;
        _api = api;
        _api.Timeout = timeout ?? TimeSpan.FromSeconds(10);
        _writers = Enumerable.Range(0, writers).Select(w => Task.Run(() => WriteAsync(w))).ToArray();
    }

    /// <summary>The phase errors and acknowledgements that arrive from now on are counted under.</summary>
    public string Phase
    {
        get => _phase;
        set => _phase = value;
    }

    public int Attempted => _attempted;

    public IReadOnlyDictionary<Guid, string> Acknowledged => _acknowledged;

    public IEnumerable<LoadError> Errors => _errors;

    public int ErrorsIn(string phase) => _errors.Count(e => e.Phase == phase);

    public int AcknowledgedIn(string phase) => _acknowledged.Values.Count(p => p == phase);

    /// <summary>The slowest acknowledged create in a phase: the pause a client felt.</summary>
    public double LongestWaitIn(string phase) => _latencies.Where(l => l.Phase == phase).Select(l => l.Seconds).DefaultIfEmpty(0).Max();

    /// <summary>Seconds from <paramref name="timestamp"/> until the first acknowledgement of a create sent after it.</summary>
    public double? FirstAcknowledgementAfter(long timestamp) =>
        _acks.Where(a => a.Sent > timestamp).Select(a => (double?)Stopwatch.GetElapsedTime(timestamp, a.At).TotalSeconds).Min();

    /// <summary>Waits until each writer has had <paramref name="count"/> more acknowledgements, so a phase is not empty.</summary>
    public async Task WaitForAcknowledgementsAsync(int count, TimeSpan timeout)
    {
        var target = _acknowledged.Count + count;
        var deadline = Stopwatch.StartNew();
        while (_acknowledged.Count < target)
        {
            Assert.True(deadline.Elapsed < timeout, $"only {_acknowledged.Count - target + count} of {count} writes acknowledged within {timeout.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>Which acknowledged notes a node lacks once it has caught up, and how many notes or revisions it holds twice.</summary>
    public async Task<(IReadOnlyCollection<Guid> Lost, long Duplicated)> CheckNodeAsync(RqliteClient rqlite, Uri node, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // Level none reads this node's own copy, which is the point.
            var stored = (await rqlite.QueryNodeAsync(node, NoteSql.All, ReadConsistency.None, cancellationToken)).Where(n => n.Title.StartsWith(TitlePrefix, StringComparison.Ordinal)).ToArray();
            var lost = _acknowledged.Keys.Except(stored.Select(n => n.Id)).ToArray();
            if (lost.Length == 0 || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                // Each load note is created once and never edited: a second row of a title, or a second revision, is a duplicate.
                var loadNotes = stored.Select(n => n.Id).ToHashSet();
                var revisions = (await rqlite.QueryNodeAsync(node, RevisionSql.Keys, ReadConsistency.None, cancellationToken)).Where(r => loadNotes.Contains(r.NoteId));
                var duplicated = stored.GroupBy(n => n.Title).Count(g => g.Count() > 1) + revisions.GroupBy(r => r.NoteId).Count(g => g.Count() > 1);
                return (lost, duplicated);
            }
            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>Stops sending new creates; ones in flight are retried until acknowledged.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_writers);
    }

    /// <summary>Stops at once, leaving creates in flight unacknowledged: for when the whole site is down.</summary>
    public async Task AbandonAsync()
    {
        await _abandon.CancelAsync();
        await StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await AbandonAsync();
        _api.Dispose();
        _stop.Dispose();
        _abandon.Dispose();
    }

    private string Padding() => _padding == 0 ? "" : " " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(_padding * 3 / 4));

    private async Task WriteAsync(int writer)
    {
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var id = Guid.CreateVersion7();
            var body = $"written by writer {writer}{Padding()}";
            Interlocked.Increment(ref _attempted);
            // Once sent, a create is retried until acknowledged, even after the stop, so none is left in doubt.
            var retryUntil = Stopwatch.StartNew();
            while (retryUntil.Elapsed < TimeSpan.FromSeconds(60) && !_abandon.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await _api.PostAsJsonAsync("/api/notes", new { id, title = $"{TitlePrefix}{writer}-{n}", body }, _abandon.Token);
                    // An outcome counts in the phase it arrived in: a fault slows or fails the requests in flight when it strikes.
                    var phase = _phase;
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        _latencies.Enqueue((phase, Stopwatch.GetElapsedTime(started).TotalSeconds));
                        _acks.Enqueue((started, Stopwatch.GetTimestamp()));
                        _acknowledged[id] = phase;
                        break;
                    }
                    _errors.Enqueue(new LoadError(phase, response.StatusCode, response.Content.Headers.ContentType?.MediaType, TimedOut: false,
                        Stopwatch.GetElapsedTime(started).TotalSeconds, await response.Content.ReadAsStringAsync()));
                }
                catch (Exception) when (_abandon.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    _errors.Enqueue(new LoadError(_phase, null, null, TimedOut: e is TaskCanceledException, Stopwatch.GetElapsedTime(started).TotalSeconds, e.Message));
                }
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }
}
