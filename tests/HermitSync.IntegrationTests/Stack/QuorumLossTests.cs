using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Two of three rqlite nodes stopped through Aspire, then started again.</summary>
public sealed class QuorumLossTests(StackFixture stack) : IClassFixture<StackFixture>
{
    [Fact]
    public async Task Without_quorum_writes_get_a_503_that_says_why_reads_serve_stale_data_and_writes_resume_after_recovery()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        using var api = stack.WebBrowserClient();
        api.Timeout = TimeSpan.FromSeconds(60);
        using var before = await api.PostAsJsonAsync("/api/notes", new { title = "Written before the outage", body = "still readable" }, timeout.Token);
        var id = (await before.Content.ReadFromJsonAsync<Note>(timeout.Token))!.Id;

        foreach (var node in new[] { stack.RqliteNodeName(2), stack.RqliteNodeName(3) })
        {
            Assert.True((await commands.ExecuteCommandAsync(node, KnownResourceCommands.StopCommand, timeout.Token)).Success);
        }
        try
        {
            using var refused = await api.PostAsJsonAsync("/api/notes", new { title = "During the outage", body = "" }, timeout.Token);
            var problem = (await refused.Content.ReadFromJsonAsync<ProblemDetails>(timeout.Token))!;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("no leader; 1 of 3 nodes reachable", problem.Detail);

            var cluster = (await api.GetFromJsonAsync<ClusterStatus>("/api/cluster", timeout.Token))!;
            Assert.Equal("Unhealthy", cluster.Health);

            var note = (await api.GetFromJsonAsync<Note>($"/api/notes/{id}", timeout.Token))!;
            Assert.Equal("still readable", note.Body);
            Assert.True(note.Stale);
            var list = (await api.GetFromJsonAsync<NotePage>("/api/notes", timeout.Token))!;
            Assert.True(list.Stale);
            Assert.Contains(list.Items, n => n.Id == id);
            var notesPage = await api.GetStringAsync("/", timeout.Token);
            Assert.Contains("lost its quorum", notesPage);
            Assert.Contains("has no leader", notesPage);
        }
        finally
        {
            foreach (var node in new[] { stack.RqliteNodeName(2), stack.RqliteNodeName(3) })
            {
                await commands.ExecuteCommandAsync(node, KnownResourceCommands.StartCommand, timeout.Token);
            }
        }

        // Aspire's health state may still hold the pre-outage result, so ask the cluster itself.
        while ((await api.GetFromJsonAsync<ClusterStatus>("/api/cluster", timeout.Token))!.Health != "Healthy")
        {
            await Task.Delay(250, timeout.Token);
        }
        using var accepted = await api.PostAsJsonAsync("/api/notes", new { title = "After the outage", body = "" }, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        Assert.False((await api.GetFromJsonAsync<Note>($"/api/notes/{id}", timeout.Token))!.Stale);
    }

    /// <summary>docs/runbook.md, "A node's data is destroyed": take it out, stop it, start it empty, and it comes back whole.</summary>
    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_node_whose_data_is_destroyed_is_removed_and_rejoins_with_every_note()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        using var api = stack.WebBrowserClient();
        using var created = await api.PostAsJsonAsync("/api/notes", new { title = "Written before a node's data was lost", body = "kept by the others" }, timeout.Token);
        var id = (await created.Content.ReadFromJsonAsync<Note>(timeout.Token))!.Id;
        var lost = stack.RqliteNodeName(3);

        // Out of the cluster while it still answers: the leader then stops sending to it at once.
        // Removed while down, the leader's last retry can come up to 10 s later (Raft's backoff), and
        // a fresh node that hears it takes itself for a member and never joins.
        using (var remove = new HttpClient { BaseAddress = stack.RqliteNode(1), Timeout = TimeSpan.FromSeconds(30) })
        {
            remove.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"remove:{HermitSync.IntegrationTests.Access.RqliteUsersTests.PasswordOf(stack, "remove")}")));
            using var request = new HttpRequestMessage(HttpMethod.Delete, "/remove") { Content = new StringContent($$"""{"id":"{{lost}}"}""") };
            using var removed = await remove.SendAsync(request, timeout.Token);
            Assert.True(removed.IsSuccessStatusCode, $"/remove answered {(int)removed.StatusCode}");
        }
        var pid = await ResourceProcess.PidAsync(stack.App, lost, timeout.Token);
        Assert.True((await commands.ExecuteCommandAsync(lost, KnownResourceCommands.StopCommand, timeout.Token)).Success);
        // Its data goes once its process is gone, as a person would wait for it: a node still
        // shutting down may write into its directory again, and start from what it wrote.
        await stack.App.ResourceNotifications.WaitForResourceAsync(lost, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), timeout.Token);
        while (ProcessTable.Read(pid) is not null)
        {
            await Task.Delay(100, timeout.Token);
        }
        Directory.Delete(Path.Combine(stack.Site().RqliteDirectory, lost), recursive: true);
        // Running first, then healthy: until it runs, the snapshot may still hold the stopped node's health.
        await ResourceProcess.StartAsync(stack.App, lost, timeout.Token);

        // The new node holds the note in its own copy, and the cluster has three members again.
        // It answers as soon as it knows the leader, before the database has reached it: until then there is no notes table.
        var rqlite = stack.Rqlite();
        var caughtUpBy = DateTime.UtcNow.AddMinutes(2);
        while (await NoteAtAsync(rqlite, stack.RqliteNode(3), id, timeout.Token) is null)
        {
            if (DateTime.UtcNow > caughtUpBy)
            {
                // Seen once in CI: the node never caught up. Say what the cluster thought of it.
                var members = await rqlite.GetNodesAsync(timeout.Token);
                var said = stack.LogLines.Where(line => line.StartsWith($"{lost}: ", StringComparison.Ordinal)).TakeLast(40);
                Assert.Fail($"{lost} did not hold the note within 2 minutes of rejoining; the cluster's nodes: {string.Join("; ", members)}; its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, said)}");
            }
            await Task.Delay(250, timeout.Token);
        }
        var nodes = await rqlite.GetNodesAsync(timeout.Token);
        Assert.Equal(3, nodes.Count(n => n.Reachable));
        Assert.Contains(nodes, n => n.Id == lost);
    }

    private static async Task<NoteRow?> NoteAtAsync(RqliteClient rqlite, Uri node, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            return await rqlite.QueryNodeAsync(node, NoteSql.Find(id), ReadConsistency.None, cancellationToken);
        }
        catch (RqliteStatementException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            return null;
        }
    }
}
