using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Two of three rqlite nodes stopped through Aspire, then started again.</summary>
public sealed class QuorumLossTests(StackFixture stack) : IClassFixture<StackFixture>
{
    [Fact]
    public async Task Without_quorum_writes_get_a_503_that_says_why_and_resume_after_recovery()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        using var api = stack.WebBrowserClient();
        api.Timeout = TimeSpan.FromSeconds(60);

        foreach (var node in new[] { "rqlite-2", "rqlite-3" })
        {
            Assert.True((await commands.ExecuteCommandAsync(node, KnownResourceCommands.StopCommand, timeout.Token)).Success);
        }
        try
        {
            using var refused = await api.PostAsJsonAsync("/api/notes", new { title = "During the outage", body = "" }, timeout.Token);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("no leader; 1 of 3 nodes reachable", problem.GetProperty("detail").GetString());

            var cluster = await api.GetFromJsonAsync<JsonElement>("/api/cluster", timeout.Token);
            Assert.Equal("Unhealthy", cluster.GetProperty("health").GetString());
        }
        finally
        {
            foreach (var node in new[] { "rqlite-2", "rqlite-3" })
            {
                await commands.ExecuteCommandAsync(node, KnownResourceCommands.StartCommand, timeout.Token);
            }
        }

        // Aspire's health state may still hold the pre-outage result, so ask the cluster itself.
        while ((await api.GetFromJsonAsync<JsonElement>("/api/cluster", timeout.Token)).GetProperty("health").GetString() != "Healthy")
        {
            await Task.Delay(250, timeout.Token);
        }
        using var accepted = await api.PostAsJsonAsync("/api/notes", new { title = "After the outage", body = "" }, timeout.Token);
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
    }
}
