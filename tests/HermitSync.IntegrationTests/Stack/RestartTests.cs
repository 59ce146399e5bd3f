using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        Assert.Empty(await ProcessTable.WaitUntilNoneMentionAsync(stack.DataDirectory, TimeSpan.FromSeconds(30)));
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
        await using var load = new WriteLoad(stack.ApiClient(), writers: 4);
        await load.WaitForAcknowledgementsAsync(200, TimeSpan.FromSeconds(60));

        // All at once, as a power cut would: no process gets to flush or say goodbye.
        await Task.WhenAll(stack.Processes.Select(resource => ResourceProcess.KillAsync(stack.App, resource, timeout.Token)));
        await load.AbandonAsync();
        await stack.StopAsync();
        Assert.Empty(await ProcessTable.WaitUntilNoneMentionAsync(stack.DataDirectory, TimeSpan.FromSeconds(30)));
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

    private async Task<string> DeviceIdAsync()
    {
        using var syncthing = stack.SyncthingClient();
        return (await syncthing.GetFromJsonAsync<JsonElement>("/rest/system/status")).GetProperty("myID").GetString()!;
    }
}
