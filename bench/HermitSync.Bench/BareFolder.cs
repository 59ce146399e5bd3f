using System.Net.Http.Json;
using System.Text.Json;

namespace HermitSync.Bench;

/// <summary>
/// A plain Syncthing folder two sites share for the length of a measurement, outside Hermit
/// Sync's own folders: what Syncthing does with no Hermit Sync around it. Disposing removes it
/// from both Syncthings; its files go with the stack's data.
/// </summary>
public sealed class BareFolder : IAsyncDisposable
{
    private const string Id = "bench-bare";
    private readonly BenchStack _stack;
    private readonly string[] _sites;

    private BareFolder(BenchStack stack, string[] sites) => (_stack, _sites) = (stack, sites);

    public static async Task<BareFolder> ShareAsync(BenchStack stack, string from, string to)
    {
        var folder = new BareFolder(stack, [from, to]);
        var devices = new Dictionary<string, string>();
        foreach (var site in folder._sites)
        {
            using var syncthing = stack.Syncthing(site);
            devices[site] = (await syncthing.GetFromJsonAsync<JsonElement>("/rest/system/status")).GetProperty("myID").GetString()!;
        }
        foreach (var site in folder._sites)
        {
            using var syncthing = stack.Syncthing(site);
            var other = devices.Single(d => d.Key != site).Value;
            Directory.CreateDirectory(folder.PathAt(site));
            (await syncthing.PutAsJsonAsync($"/rest/config/folders/{Id}", new
            {
                id = Id,
                path = folder.PathAt(site),
                type = "sendreceive",
                fsWatcherEnabled = true,
                fsWatcherDelayS = 1,
                devices = new[] { new { deviceID = other } },
            })).EnsureSuccessStatusCode();
        }
        return folder;
    }

    public string PathAt(string site) => Path.Combine(_stack.SyncFolder(site), "bench-bare");

    public async Task ScanAsync(string site)
    {
        using var syncthing = _stack.Syncthing(site);
        (await syncthing.PostAsync($"/rest/db/scan?folder={Id}", null)).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var site in _sites)
        {
            using var syncthing = _stack.Syncthing(site);
            await syncthing.DeleteAsync($"/rest/config/folders/{Id}");
        }
    }
}
