using System.Data.Common;
using System.Net;
using System.Net.Http.Json;

namespace HermitSync.Exporter.Syncthing;

/// <summary>The parts of Syncthing's REST API the exporter uses. The API key travels in a header only.</summary>
public sealed class SyncthingClient(HttpClient http)
{
    public const string FolderId = "hermit-sync";

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

    /// <summary>Creates the Hermit Sync folder if Syncthing does not have it yet; leaves it alone if it does.</summary>
    public async Task EnsureFolderAsync(string path, CancellationToken cancellationToken)
    {
        using var existing = await http.GetAsync($"/rest/config/folders/{FolderId}", cancellationToken);
        if (existing.IsSuccessStatusCode)
        {
            return;
        }
        if (existing.StatusCode != HttpStatusCode.NotFound)
        {
            existing.EnsureSuccessStatusCode();
        }
        var folder = new
        {
            id = FolderId,
            label = "Hermit Sync",
            path,
            type = "sendreceive",
            fsWatcherEnabled = true,
            fsWatcherDelayS = 1,
            rescanIntervalS = 3600,
        };
        using var created = await http.PutAsJsonAsync($"/rest/config/folders/{FolderId}", folder, cancellationToken);
        created.EnsureSuccessStatusCode();
    }

    /// <summary>Asks Syncthing to pick up a new file now rather than at its watcher's next tick.</summary>
    public async Task ScanAsync(string subfolder, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsync($"/rest/db/scan?folder={FolderId}&sub={Uri.EscapeDataString(subfolder)}", content: null, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
