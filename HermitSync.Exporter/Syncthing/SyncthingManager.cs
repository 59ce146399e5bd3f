using HermitSync.Exporter.Sync;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Syncthing;

/// <summary>
/// Keeps Syncthing set up for Hermit Sync, idempotently at every start: the shared folder,
/// its settings, and the configured peers. Then it follows Syncthing's event stream, so a file
/// that arrives is imported at once rather than at the next scan.
/// </summary>
public sealed class SyncthingManager(
    SyncthingClient syncthing,
    ChangeImporter importer,
    IOptions<SyncOptions> options,
    ILogger<SyncthingManager> logger) : BackgroundService
{
    private const string Events = "ItemFinished,DeviceConnected,DeviceDisconnected,PendingDevicesChanged";
    private readonly SyncOptions _options = options.Value;

    public string FolderPath => _options.SyncthingFolderPath ?? _options.SyncFolder;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RetryAsync("configure Syncthing", ConfigureAsync, stoppingToken);
        long since = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var item in await syncthing.EventsAsync(since, Events, TimeSpan.FromSeconds(30), stoppingToken))
                {
                    since = Math.Max(since, item!["id"]!.GetValue<long>());
                    var type = item["type"]!.GetValue<string>();
                    if (type == "ItemFinished" && item["data"]?["folder"]?.GetValue<string>() == SyncthingClient.FolderId)
                    {
                        importer.Wake();
                    }
                    else if (type is "DeviceConnected" or "DeviceDisconnected")
                    {
                        logger.LogInformation("Syncthing: {Event} {Device}", type, item["data"]?["id"]?.GetValue<string>());
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Syncthing's event stream failed ({Reason}); reconnecting", e.Message);
                since = 0;
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    private async Task ConfigureAsync(CancellationToken cancellationToken)
    {
        await syncthing.EnsureFolderAsync(FolderPath, [], cancellationToken);
        foreach (var peer in _options.Peers.Where(p => p.DeviceId.Length > 0))
        {
            await syncthing.PairAsync(SyncthingDeviceId.Parse(peer.DeviceId), peer.Name, peer.Address, FolderPath, cancellationToken);
            logger.LogInformation("Paired with {Name} ({Device}) at {Address}", peer.Name, peer.DeviceId, peer.Address ?? "dynamic");
        }
    }

    private async Task RetryAsync(string what, Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action(cancellationToken);
                return;
            }
            catch (HttpRequestException e) when (attempt < 30)
            {
                logger.LogWarning("Could not {What} yet ({Reason}); retrying", what, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }
}
