using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
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
}
