using System.Net.Http.Json;
using System.Text.Json;

namespace HermitSync.Bench;

/// <summary>A site as a bare folder sees it: its Syncthing's REST API and where its sync folder is.</summary>
public sealed record BareSite(string Name, Func<HttpClient> Syncthing, string SyncFolder);

/// <summary>
/// A plain Syncthing folder two sites share for the length of a measurement, outside Hermit
/// Sync's own folders: what Syncthing does with no Hermit Sync around it. Disposing removes it
/// from both Syncthings; its files go with the stack's data. Each share is a new folder, by id and
/// path, so nothing Syncthing kept of an earlier one (its index, its files) meets the next.
/// </summary>
public sealed class BareFolder : IAsyncDisposable
{
    private static int s_shares;
    private readonly string _id = $"bench-bare-{Interlocked.Increment(ref s_shares)}";
    private readonly BareSite[] _sites;

    private BareFolder(BareSite[] sites) => _sites = sites;

    public static async Task<BareFolder> ShareAsync(BareSite from, BareSite to)
    {
        var folder = new BareFolder([from, to]);
        var devices = new Dictionary<string, string>();
        foreach (var site in folder._sites)
        {
            using var syncthing = site.Syncthing();
            devices[site.Name] = (await syncthing.GetFromJsonAsync<JsonElement>("/rest/system/status")).GetProperty("myID").GetString()!;
        }
        foreach (var site in folder._sites)
        {
            using var syncthing = site.Syncthing();
            var other = devices.Single(d => d.Key != site.Name).Value;
            Directory.CreateDirectory(folder.PathAt(site.Name));
            (await syncthing.PutAsJsonAsync($"/rest/config/folders/{folder._id}", new
            {
                id = folder._id,
                path = folder.PathAt(site.Name),
                type = "sendreceive",
                fsWatcherEnabled = true,
                fsWatcherDelayS = 1,
                devices = new[] { new { deviceID = other } },
            })).EnsureSuccessStatusCode();
        }
        return folder;
    }

    public string PathAt(string site) => Path.Combine(Site(site).SyncFolder, _id);

    public async Task ScanAsync(string site)
    {
        using var syncthing = Site(site).Syncthing();
        (await syncthing.PostAsync($"/rest/db/scan?folder={_id}", null)).EnsureSuccessStatusCode();
    }

    private BareSite Site(string name) => _sites.Single(site => site.Name == name);

    public async ValueTask DisposeAsync()
    {
        foreach (var site in _sites)
        {
            using var syncthing = site.Syncthing();
            await syncthing.DeleteAsync($"/rest/config/folders/{_id}");
        }
    }
}
