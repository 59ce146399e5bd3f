using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Telemetry;

/// <summary>
/// What the Aspire dashboard shows of two paired sites: one trace per request and per sync
/// hop, the metrics, and the commands it offers. The spans and metrics are the ones the
/// services really export, received over OTLP/HTTP.
/// </summary>
[Collection(PairedSitesCollection.Name)]
public sealed class DashboardTests(PairedSitesFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly StackFixture _stack = fixture.Stack;
    private readonly OtlpReceiver _telemetry = fixture.Telemetry;

    [Fact]
    public async Task A_form_post_is_one_trace_through_the_web_app_the_api_and_the_rqlite_client()
    {
        using var browser = _stack.WebBrowserClient("a");
        // The test plays the browser's own span, so the trace it starts is known.
        var browserSpan = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        browser.DefaultRequestHeaders.Add("traceparent", $"00-{browserSpan.TraceId}-{browserSpan.SpanId}-01");

        using var created = await WebForm.SubmitAsync(browser, "/Notes/New", new Dictionary<string, string> { ["Input.Title"] = "traced", ["Input.Body"] = "end to end" });
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);

        // Up from an rqlite call of the API that made an HTTP call to a node, to the browser's span.
        var chain = await EventuallyAsync(() =>
        {
            var trace = _telemetry.Spans.Where(s => s.TraceId == browserSpan.TraceId.ToString()).ToArray();
            return trace
                .Where(s => s.Service == _stack.Name("a", SiteResource.Api) && s.Scope == "HermitSync.Rqlite" && trace.Any(http => http.ParentSpanId == s.SpanId))
                .Select(s => Ancestors(s, trace).Prepend(s).ToArray())
                .FirstOrDefault(c => c[^1].ParentSpanId == browserSpan.SpanId.ToString());
        }, "no chain of spans from an rqlite call of the API up to the browser's span arrived");

        Assert.Contains(chain, s => s.Service == _stack.Name("a", SiteResource.Api) && s.Scope == "Microsoft.AspNetCore");
        Assert.Contains(chain, s => s.Service == _stack.Name("a", SiteResource.Web) && s.Scope == "System.Net.Http");
        Assert.Contains(chain, s => s.Service == _stack.Name("a", SiteResource.Web) && s.Scope == "Microsoft.AspNetCore");
    }

    [Fact]
    public async Task An_export_at_A_and_its_import_at_B_are_one_trace()
    {
        await WriteAtAUntilBHasItAsync("traced across");

        // An import at B, child of an export at A, with its own writes to B's rqlite under it.
        await EventuallyAsync(() => _telemetry.Spans
            .Where(s => s.Service == _stack.Name("b", SiteResource.Exporter) && s.Name == "sync import")
            .FirstOrDefault(import =>
                _telemetry.Spans.Any(export => export.Service == _stack.Name("a", SiteResource.Exporter) && export.Name.StartsWith("sync ", StringComparison.Ordinal)
                    && export.TraceId == import.TraceId && export.SpanId == import.ParentSpanId)
                && _telemetry.Spans.Any(write => write.Service == _stack.Name("b", SiteResource.Exporter) && write.Scope == "HermitSync.Rqlite"
                    && write.TraceId == import.TraceId && write.ParentSpanId == import.SpanId)),
            "no import at B, with its rqlite writes, in the trace of an export at A");
    }

    [Fact]
    public async Task The_notes_metric_counts_each_saved_write_by_operation_and_no_refused_one()
    {
        using var a = _stack.WebBrowserClient("a");
        var api = _stack.Name("a", SiteResource.Api);
        var before = await _telemetry.MetricsAfterAsync(api, DateTimeOffset.UtcNow, Patience);

        var notes = new List<Note>();
        for (var i = 0; i < 3; i++)
        {
            notes.Add(await Sites.CreateAsync(a, $"counted {i}", ""));
        }
        var edited = await Sites.EditAsync(a, notes[0], "counted 0", "edited");
        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/api/notes/{notes[1].Id}")).StatusCode);
        // Refused writes are no writes: an invalid note, a stale edit, a delete of what is gone.
        Assert.Equal(HttpStatusCode.BadRequest, (await a.PostAsJsonAsync("/api/notes", new { title = "", body = "" })).StatusCode);
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{edited.Id}") { Content = JsonContent.Create(new { title = "stale", body = "" }) };
        stale.Headers.IfMatch.ParseAdd(notes[0].ETag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await a.SendAsync(stale)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await a.DeleteAsync($"/api/notes/{notes[1].Id}")).StatusCode);
        var after = await _telemetry.MetricsAfterAsync(api, DateTimeOffset.UtcNow, Patience);

        double Written(MetricExport export, string operation) => export.Total("hermit.notes.written", ("operation", operation));
        Assert.Equal((3, 1, 1), (Written(after, "create") - Written(before, "create"), Written(after, "edit") - Written(before, "edit"), Written(after, "delete") - Written(before, "delete")));
    }

    [Fact]
    public async Task The_rqlite_metric_times_each_request_by_the_node_it_went_to()
    {
        using var a = _stack.WebBrowserClient("a");
        var api = _stack.Name("a", SiteResource.Api);
        // The client reaches a node by the name in its connection string or by the address the cluster advertises: the port tells them apart.
        var ports = Enumerable.Range(1, 3).Select(n => _stack.RqliteNode(n, "a").Port.ToString(CultureInfo.InvariantCulture)).ToArray();
        var before = await _telemetry.MetricsAfterAsync(api, DateTimeOffset.UtcNow, Patience);

        for (var i = 0; i < 5; i++)
        {
            await Sites.CreateAsync(a, $"timed {i}", "");
        }
        var after = await _telemetry.MetricsAfterAsync(api, DateTimeOffset.UtcNow, Patience);

        var series = after.Series("hermit.rqlite.request.duration").ToArray();
        Assert.NotEmpty(series);
        Assert.All(series, point =>
        {
            Assert.Contains(point.Attributes["server.address"], new[] { "localhost", "127.0.0.1" });
            Assert.Contains(point.Attributes["server.port"], ports);
        });
        var timedPerNode = ports.Select(port => after.Total("hermit.rqlite.request.duration", ("server.port", port))
            - before.Total("hermit.rqlite.request.duration", ("server.port", port))).ToArray();
        Assert.True(timedPerNode.Sum() >= 5, $"5 creates, but requests timed per node: {string.Join(", ", timedPerNode)}");
    }

    [Fact]
    public async Task The_dashboard_receives_the_sync_metrics()
    {
        var exporterA = _stack.Name("a", SiteResource.Exporter);
        var exporterB = _stack.Name("b", SiteResource.Exporter);
        var exported = (await _telemetry.MetricsAfterAsync(exporterA, DateTimeOffset.UtcNow, Patience)).Total("hermit.sync.files.exported");
        var imported = (await _telemetry.MetricsAfterAsync(exporterB, DateTimeOffset.UtcNow, Patience)).Total("hermit.sync.files.imported");

        await WriteAtAUntilBHasItAsync("counted");

        var atA = await _telemetry.MetricsAfterAsync(exporterA, DateTimeOffset.UtcNow, Patience);
        var atB = await _telemetry.MetricsAfterAsync(exporterB, DateTimeOffset.UtcNow, Patience);
        Assert.True(atA.Total("hermit.sync.files.exported") > exported, "A's exporter counted no file exported");
        Assert.True(atB.Total("hermit.sync.files.imported") > imported, "B's exporter counted no file imported");
        Assert.NotEmpty(atB.Series("hermit.sync.lag"));
        Assert.NotEmpty(atB.Series("hermit.sync.conflicts"));
    }

    [Fact]
    public async Task Back_up_database_writes_a_sqlite_file_into_the_backups_folder()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var backups = Path.Combine(_stack.RqliteCluster("a").DataDirectory!, "backups");

        var result = await Commands.ExecuteCommandAsync(_stack.Name("a", SiteResource.Rqlite), "backup", timeout.Token);

        Assert.True(result.Success, result.Message);
        var backup = Assert.Single(Directory.GetFiles(backups, "backup-*.sqlite3"));
        Assert.Matches(@"^backup-\d{8}-\d{6}\.sqlite3$", Path.GetFileName(backup));
        var header = new byte[16];
        await using (var file = File.OpenRead(backup))
        {
            await file.ReadExactlyAsync(header, timeout.Token);
        }
        Assert.Equal("SQLite format 3\0"u8.ToArray(), header);
        Assert.Empty(Directory.GetFiles(backups, "*.partial"));
    }

    [Fact]
    public async Task Export_now_writes_a_snapshot_at_once()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var a = _stack.WebBrowserClient("a");
        var folder = Path.Combine(_stack.Site("a").SyncFolder, "sites", await Sites.SiteIdAsync(a));
        var before = Directory.GetFiles(folder, "s-*.hsync");

        var result = await Commands.ExecuteCommandAsync(_stack.Name("a", SiteResource.Exporter), "export-now", timeout.Token);

        Assert.True(result.Success, result.Message);
        var snapshot = Assert.Single(Directory.GetFiles(folder, "s-*.hsync").Except(before));
        Assert.Contains(Path.GetFileName(snapshot), result.Data?.Value ?? "");
    }

    [Fact]
    public async Task Step_down_leader_hands_leadership_to_a_follower_and_the_site_keeps_writing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var rqlite = _stack.Rqlite("a");
        var leader = (await rqlite.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;

        var result = await Commands.ExecuteCommandAsync(_stack.Name("a", SiteResource.Rqlite), RqliteCommandExtensions.StepDownCommand, timeout.Token);

        Assert.True(result.Success, result.Message);
        // The node that answers may learn of the new leader a moment after the command saw it.
        var successor = await Sites.EventuallyAsync(
            async () => (await rqlite.GetNodesAsync(timeout.Token)).SingleOrDefault(n => n.Leader && n.Id != leader)?.Id,
            $"no node but {leader} leads", TimeSpan.FromSeconds(5));
        Assert.StartsWith(successor, result.Message);
        // A graceful hand-over, not an election after a crash.
        await EventuallyAsync(() => _stack.LogLines.FirstOrDefault(line => line.StartsWith($"{leader}: ", StringComparison.Ordinal)
            && line.Contains("stepping down as Leader before shutdown", StringComparison.Ordinal)), $"{leader} did not log its step-down");
        await _stack.App.ResourceNotifications.WaitForResourceHealthyAsync(leader, timeout.Token);
        // The leader's pooled connection to the restarted node may fail once before it dials again.
        var nodes = await Sites.EventuallyAsync(async () => await rqlite.GetNodesAsync(timeout.Token) is var all && all.All(n => n.Reachable) ? all : null,
            $"not every node of the cluster was reachable again after {leader} restarted", TimeSpan.FromSeconds(15));
        Assert.False(nodes.Single(n => n.Id == leader).Leader);
        using var a = _stack.WebBrowserClient("a");
        var note = await Sites.CreateAsync(a, "after the step-down", "written under the new leader");
        Assert.NotNull(await Sites.TryGetAsync(a, note));
    }

    private async Task WriteAtAUntilBHasItAsync(string title)
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var note = await Sites.CreateAsync(a, title, "from A to B");
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B");
    }

    private ResourceCommandService Commands => _stack.App.Services.GetRequiredService<ResourceCommandService>();

    private async Task<T> EventuallyAsync<T>(Func<T?> probe, string failure) where T : class
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{failure} within {Patience.TotalSeconds:0} s; spans received: {string.Join(", ",
                _telemetry.Spans.GroupBy(s => s.Service).Select(g => $"{g.Key} {g.Count()}"))}");
            await Task.Delay(500);
        }
    }

    private static IEnumerable<ReceivedSpan> Ancestors(ReceivedSpan span, IReadOnlyCollection<ReceivedSpan> trace)
    {
        for (var parent = trace.FirstOrDefault(s => s.SpanId == span.ParentSpanId); parent is not null; parent = trace.FirstOrDefault(s => s.SpanId == parent.ParentSpanId))
        {
            yield return parent;
        }
    }
}
