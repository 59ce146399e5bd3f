using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>What the sync tests do to a site through its web app's /api.</summary>
internal static class Sites
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Guid Id(JsonElement note) => note.GetProperty("id").GetGuid();

    public static async Task<JsonElement> CreateAsync(HttpClient site, string title, string body)
    {
        using var created = await site.PostAsJsonAsync("/api/notes", new { title, body });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await created.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task EditAsync(HttpClient site, JsonElement note, string title, string body)
    {
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{Id(note)}") { Content = JsonContent.Create(new { title, body }) };
        edit.Headers.IfMatch.ParseAdd($"\"{note.GetProperty("revision").GetString()}\"");
        using var response = await site.SendAsync(edit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<JsonElement> GetAsync(HttpClient site, JsonElement note) =>
        await site.GetFromJsonAsync<JsonElement>($"/api/notes/{Id(note)}");

    public static async Task<JsonElement?> TryGetAsync(HttpClient site, JsonElement note)
    {
        using var response = await site.GetAsync($"/api/notes/{Id(note)}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    public static async Task<bool> PeerConnectedAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("connected").GetBoolean());

    /// <summary>Polls until <paramref name="probe"/> has a value, for up to 30 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string failure) where T : struct
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{failure} within {Patience.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
