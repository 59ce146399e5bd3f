using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Sync;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Syncthing;

/// <summary>
/// Keeps Syncthing set up for Hermit Sync, idempotently at every start: a folder per site and
/// the configured peers. Then it follows Syncthing's event stream: a file that arrives is
/// imported at once rather than at the next scan, and a site folder a peer offers is taken.
/// </summary>
public sealed class SyncthingManager(
    SiteFolders folders,
    Pairing pairing,
    SyncthingClient syncthing,
    ChangeImporter importer,
    IOptions<SyncOptions> options,
    ILogger<SyncthingManager> logger) : BackgroundService
{
    private const string Events = "ItemFinished,DeviceConnected,DeviceDisconnected,PendingDevicesChanged,PendingFoldersChanged";
    private readonly SyncOptions _options = options.Value;
    private readonly SemaphoreSlim _accepting = new(1, 1);
    private int _acceptLater;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RetryAsync("configure Syncthing", ConfigureAsync, stoppingToken);
        long since = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var item in await syncthing.EventsAsync(since, Events, _options.SyncthingEventWait, stoppingToken))
                {
                    since = Math.Max(since, item!["id"]!.GetValue<long>());
                    var type = item["type"]!.GetValue<string>();
                    if (type == "ItemFinished" && SiteFolders.IsSiteFolder(item["data"]?["folder"]?.GetValue<string>() ?? "", out var site))
                    {
                        importer.Arrived(Path.Combine(ChangeFileName.SitesFolder, site, item["data"]?["item"]?.GetValue<string>() ?? ""));
                    }
                    else if (type is "PendingFoldersChanged" or "DeviceConnected")
                    {
                        await AcceptOffersAsync(stoppingToken);
                    }
                    if (type is "DeviceConnected" or "DeviceDisconnected")
                    {
                        logger.LogInformation("Syncthing: {Event} {Device}", type, item["data"]?["id"]?.GetValue<string>());
                    }
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Syncthing's event stream failed ({Reason}); reconnecting", e.Message);
                since = 0;
                await Task.Delay(_options.SyncthingRetryDelay, stoppingToken);
            }
        }
    }

    /// <summary>Takes what peers offer, one caller at a time; when some must wait their turn, looks again once it has come.</summary>
    private async Task AcceptOffersAsync(CancellationToken cancellationToken)
    {
        TimeSpan? retryAfter;
        await _accepting.WaitAsync(cancellationToken);
        try
        {
            retryAfter = await folders.AcceptOffersAsync(cancellationToken);
        }
        finally
        {
            _accepting.Release();
        }
        if (retryAfter is { } wait && Interlocked.Exchange(ref _acceptLater, 1) == 0)
        {
            _ = AcceptLaterAsync(wait, cancellationToken);
        }
    }

    private async Task AcceptLaterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(wait, cancellationToken);
            Volatile.Write(ref _acceptLater, 0);
            await AcceptOffersAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        catch (HttpRequestException e)
        {
            Volatile.Write(ref _acceptLater, 0);
            logger.LogWarning("Could not take the folders peers offered ({Reason}); the next offer tries again", e.Message);
        }
    }

    private async Task ConfigureAsync(CancellationToken cancellationToken)
    {
        await folders.EnsureAsync(cancellationToken);
        await AcceptOffersAsync(cancellationToken);
        foreach (var peer in _options.Peers.Where(p => p.DeviceId.Length > 0))
        {
            if (await pairing.PairAsync(new PairRequest(peer.DeviceId, peer.Name, peer.Address), cancellationToken) is { } problem)
            {
                logger.LogWarning("Could not pair with the configured peer {Name}: {Problem}", peer.Name, problem.Message);
                continue;
            }
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
            catch (HttpRequestException e) when (attempt < _options.SyncthingStartAttempts)
            {
                logger.LogWarning("Could not {What} yet ({Reason}); retrying", what, e.Message);
                await Task.Delay(_options.SyncthingRetryDelay, cancellationToken);
            }
        }
    }
}
