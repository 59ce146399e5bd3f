using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Faults;
using HermitSync.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Stopping the whole site, or crashing it, and starting it on the same data directory.</summary>
public sealed class RestartTests(StackFixture stack, ITestOutputHelper output) : IClassFixture<StackFixture>
{
    [Fact]
    public async Task Notes_and_the_syncthing_identity_survive_a_restart_and_no_process_is_left_behind()
    {
        using (var api = stack.WebBrowserClient())
        {
            using var created = await api.PostAsJsonAsync("/api/notes", new { title = "Still here?", body = "after a restart" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }
        var deviceId = await DeviceIdAsync();

        await stack.StopAsync();
        Assert.Empty(await stack.StartedProcesses.WaitUntilNoneRunsAsync(stack.DataDirectory, TimeSpan.FromSeconds(30)));
        await stack.StartAsync();

        using var again = stack.WebBrowserClient();
        var page = (await again.GetFromJsonAsync<NotePage>("/api/notes?q=Still%20here"))!;
        Assert.Equal("after a restart", Assert.Single(page.Items).Excerpt);
        Assert.Equal(deviceId, await DeviceIdAsync());
    }

    [Fact]
    public async Task After_SIGKILL_of_every_process_under_load_the_site_restarts_with_every_acknowledged_write()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var api = stack.App.GetEndpoint(stack.Name("", SiteResource.Api), "http");
        await using var load = new WriteLoad(stack.ApiClient(), writers: 4);
        await load.WaitForAcknowledgementsAsync(200, TimeSpan.FromSeconds(60));

        // All at once, as a power cut would: no process gets to flush or say goodbye.
        stack.StartedProcesses.RecordTrees();
        await Task.WhenAll(stack.Processes.Select(resource => ResourceProcess.KillAsync(stack.App, resource, timeout.Token)));
        await load.AbandonAsync();
        await AssertSiteDownAsync(api);
        await stack.StopAsync();
        await stack.StartAsync();

        var rqlite = stack.Rqlite();
        output.WriteLine($"writes attempted {load.Attempted}, acknowledged {load.Acknowledged.Count}, in doubt when killed {load.Attempted - load.Acknowledged.Count}");
        for (var node = 1; node <= 3; node++)
        {
            var (lost, duplicated) = await load.CheckNodeAsync(rqlite, stack.RqliteNode(node), timeout.Token);
            output.WriteLine($"{stack.RqliteNodeName(node)}: lost {lost.Count}, duplicated {duplicated}");
            Assert.Empty(lost);
            Assert.Equal(0, duplicated);
        }
    }

    /// <summary>Nothing of the site runs: no process it ran is left, and its API answers nobody.</summary>
    private async Task AssertSiteDownAsync(Uri api)
    {
        Assert.Empty(await stack.StartedProcesses.WaitUntilNoneRunsAsync(stack.DataDirectory, TimeSpan.FromSeconds(10)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var answer = await Record.ExceptionAsync(() => http.GetAsync(new Uri(api, "/alive")));
        Assert.True(answer is HttpRequestException or TaskCanceledException, $"the API still answered after every process was killed: {answer?.Message ?? "it answered"}");
    }

    private async Task<string> DeviceIdAsync()
    {
        using var syncthing = stack.SyncthingClient();
        return (await syncthing.GetFromJsonAsync<JsonElement>("/rest/system/status")).GetProperty("myID").GetString()!;
    }
}
