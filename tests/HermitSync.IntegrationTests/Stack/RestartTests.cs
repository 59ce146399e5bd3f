using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Stopping the whole site and starting it on the same data directory.</summary>
public sealed class RestartTests(StackFixture stack) : IClassFixture<StackFixture>
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
        var page = await again.GetFromJsonAsync<JsonElement>("/api/notes?q=Still%20here");
        Assert.Equal("after a restart", page.GetProperty("items")[0].GetProperty("excerpt").GetString());
        Assert.Equal(deviceId, await DeviceIdAsync());
    }

    private async Task<string> DeviceIdAsync()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(stack.App.GetEndpoint("syncthing", "http"), "/rest/system/status"));
        request.Headers.Add("X-API-Key", stack.SyncthingApiKey);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("myID").GetString()!;
    }
}
