using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HermitSync.Exporter.Syncthing;

/// <summary>A device this site shares the folder with, and how it is doing.</summary>
public sealed record SyncthingPeer(string DeviceId, string Name, IReadOnlyList<string> Addresses, bool Connected, bool Paused, string? Address, double Completion);

/// <summary>A device that tried to connect but is not paired.</summary>
public sealed record PendingDevice(string DeviceId, string Name, string Address, DateTimeOffset Time);

/// <summary>A folder a paired device offered and this site has not taken yet.</summary>
public sealed record FolderOffer(string FolderId, string DeviceId);

/// <summary>Who may change a folder's files: only this device (send-only), or only the others (receive-only).</summary>
public enum FolderType { SendOnly, ReceiveOnly }

/// <summary>The parts of Syncthing's REST API the exporter uses. The API key travels in a header only.</summary>
public sealed class SyncthingClient(HttpClient http)
{

    /// <summary>Reads <c>Endpoint=http://…;ApiKey=…</c>, the connection string the AppHost gives.</summary>
    public static void Configure(HttpClient http, string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!parts.TryGetValue("Endpoint", out var endpoint) || !parts.TryGetValue("ApiKey", out var apiKey))
        {
            throw new InvalidOperationException("The syncthing connection string needs Endpoint and ApiKey.");
        }
        http.BaseAddress = new Uri(endpoint.ToString()!, UriKind.Absolute);
        http.DefaultRequestHeaders.Add("X-API-Key", apiKey.ToString());
    }

    public async Task<string> MyDeviceIdAsync(CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<JsonObject>("/rest/system/status", cancellationToken))!["myID"]!.GetValue<string>();

    /// <summary>
    /// Makes sure a folder exists with the watcher on and a short delay, ignores stray temporary
    /// files, keeps files deleted by peers in a trash can for two weeks, and is shared with the
    /// given devices (in addition to any already sharing it).
    /// </summary>
    public async Task EnsureFolderAsync(string folderId, string label, string path, FolderType type, IEnumerable<string> sharedWith, CancellationToken cancellationToken)
    {
        using var existing = await http.GetAsync($"/rest/config/folders/{Segment(folderId)}", cancellationToken);
        var folder = existing.StatusCode == HttpStatusCode.NotFound
            ? new JsonObject { ["id"] = folderId, ["label"] = label, ["path"] = path, ["devices"] = new JsonArray() }
            : (await ReadAsync(existing, cancellationToken)).AsObject();
        folder["type"] = type == FolderType.SendOnly ? "sendonly" : "receiveonly";
        folder["fsWatcherEnabled"] = true;
        // Files arrive as this machine's umask makes them (owner-only), never with the modes a peer claims.
        folder["ignorePerms"] = true;
        folder["fsWatcherDelayS"] = 1;
        folder["rescanIntervalS"] = 3600;
        folder["versioning"] = new JsonObject { ["type"] = "trashcan", ["params"] = new JsonObject { ["cleanoutDays"] = "14" } };
        var devices = folder["devices"]!.AsArray();
        foreach (var device in sharedWith.Where(d => !devices.Any(existingDevice => existingDevice!["deviceID"]!.GetValue<string>() == d)))
        {
            devices.Add(new JsonObject { ["deviceID"] = device });
        }
        await SendAsync(HttpMethod.Put, $"/rest/config/folders/{Segment(folderId)}", folder, cancellationToken);
        await SendAsync(HttpMethod.Post, $"/rest/db/ignores?folder={Segment(folderId)}",
            new JsonObject { ["ignore"] = new JsonArray("(?d)*.tmp", "(?d)*.partial", "(?d).DS_Store", "(?d)Thumbs.db") }, cancellationToken);
    }

    /// <summary>Removes a folder from Syncthing's configuration; its files stay on disk.</summary>
    public async Task RemoveFolderAsync(string folderId, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"/rest/config/folders/{Segment(folderId)}", cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task<IReadOnlyList<string>> FolderIdsAsync(CancellationToken cancellationToken) =>
        (await http.GetFromJsonAsync<JsonArray>("/rest/config/folders", cancellationToken))!.Select(f => f!["id"]!.GetValue<string>()).ToArray();

    /// <summary>Folders that devices offered and this Syncthing does not share yet, one entry per offering device.</summary>
    public async Task<IReadOnlyList<FolderOffer>> FolderOffersAsync(CancellationToken cancellationToken)
    {
        var pending = await http.GetFromJsonAsync<JsonObject>("/rest/cluster/pending/folders", cancellationToken) ?? [];
        return pending.SelectMany(folder => (folder.Value?["offeredBy"] as JsonObject ?? []).Select(device => new FolderOffer(folder.Key, device.Key))).ToArray();
    }

    /// <summary>Adds (or updates) a device, at a static address or found by discovery.</summary>
    public async Task AddDeviceAsync(SyncthingDeviceId deviceId, string name, string? address, CancellationToken cancellationToken)
    {
        var device = new JsonObject
        {
            ["deviceID"] = deviceId.ToString(),
            ["name"] = name,
            ["addresses"] = new JsonArray(string.IsNullOrWhiteSpace(address) ? "dynamic" : address),
            ["compression"] = "metadata",
            ["introducer"] = false,
            ["paused"] = false,
            ["autoAcceptFolders"] = false,
        };
        await SendAsync(HttpMethod.Put, $"/rest/config/devices/{Segment(deviceId)}", device, cancellationToken);
    }

    /// <summary>Every device in the configuration but this one.</summary>
    public async Task<IReadOnlyList<string>> DeviceIdsAsync(CancellationToken cancellationToken)
    {
        var me = await MyDeviceIdAsync(cancellationToken);
        return (await http.GetFromJsonAsync<JsonArray>("/rest/config/devices", cancellationToken))!
            .Select(d => d!["deviceID"]!.GetValue<string>()).Where(d => d != me).ToArray();
    }

    public async Task UnpairAsync(SyncthingDeviceId deviceId, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"/rest/config/devices/{Segment(deviceId)}", cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Ignores a device that asked to connect, so it is not offered again.</summary>
    public async Task IgnoreAsync(PendingDevice pending, CancellationToken cancellationToken)
    {
        var config = (await http.GetFromJsonAsync<JsonObject>("/rest/config", cancellationToken))!;
        var ignored = config["remoteIgnoredDevices"] as JsonArray ?? [];
        // In UTC, ending in Z: Go reads a JSON time without unescaping it, and System.Text.Json writes the + of "+00:00" as \u002B.
        ignored.Add(new JsonObject { ["deviceID"] = pending.DeviceId, ["name"] = pending.Name, ["address"] = pending.Address, ["time"] = pending.Time.UtcDateTime.ToString("O") });
        config["remoteIgnoredDevices"] = ignored;
        await SendAsync(HttpMethod.Put, "/rest/config", config, cancellationToken);
    }

    /// <summary>The paired devices, with their connection and how complete their copy of <paramref name="folderId"/> is.</summary>
    public async Task<IReadOnlyList<SyncthingPeer>> PeersAsync(string folderId, CancellationToken cancellationToken)
    {
        var me = await MyDeviceIdAsync(cancellationToken);
        var devices = (await http.GetFromJsonAsync<JsonArray>("/rest/config/devices", cancellationToken))!;
        var connections = (await http.GetFromJsonAsync<JsonObject>("/rest/system/connections", cancellationToken))!["connections"]!.AsObject();
        var peers = new List<SyncthingPeer>();
        foreach (var device in devices.Select(d => d!.AsObject()).Where(d => d["deviceID"]!.GetValue<string>() != me))
        {
            var id = device["deviceID"]!.GetValue<string>();
            var connection = connections[id];
            var completion = await http.GetFromJsonAsync<JsonObject>($"/rest/db/completion?folder={Segment(folderId)}&device={Segment(id)}", cancellationToken);
            peers.Add(new SyncthingPeer(
                id,
                device["name"]?.GetValue<string>() ?? "",
                device["addresses"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray(),
                connection?["connected"]?.GetValue<bool>() ?? false,
                connection?["paused"]?.GetValue<bool>() ?? false,
                connection?["address"]?.GetValue<string>() is { Length: > 0 } address ? address : null,
                completion?["completion"]?.GetValue<double>() ?? 0));
        }
        return peers;
    }

    public async Task<IReadOnlyList<PendingDevice>> PendingDevicesAsync(CancellationToken cancellationToken)
    {
        var pending = await http.GetFromJsonAsync<JsonObject>("/rest/cluster/pending/devices", cancellationToken) ?? [];
        return pending.Select(p => new PendingDevice(
            p.Key,
            p.Value?["name"]?.GetValue<string>() ?? "",
            p.Value?["address"]?.GetValue<string>() ?? "",
            DateTimeOffset.TryParse(p.Value?["time"]?.GetValue<string>(), out var time) ? time : DateTimeOffset.MinValue)).ToArray();
    }

    /// <summary>Long-polls Syncthing's event stream for events after <paramref name="since"/>.</summary>
    public async Task<JsonArray> EventsAsync(long since, string types, TimeSpan wait, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<JsonArray>($"/rest/events?since={since}&events={Segment(types)}&timeout={(int)wait.TotalSeconds}", cancellationToken) ?? [];

    /// <summary>Asks Syncthing to pick up new files now rather than at its watcher's next tick.</summary>
    public async Task ScanAsync(string folderId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync($"/rest/db/scan?folder={Segment(folderId)}", content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Escaped, so no value can add a path segment or a query parameter of its own.</summary>
    private static string Segment(object value) => Uri.EscapeDataString(value.ToString()!);

    private async Task SendAsync(HttpMethod method, string path, JsonNode body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Syncthing refused {method} {path.Split('?')[0]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
    }
}
