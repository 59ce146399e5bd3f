using System.Diagnostics.CodeAnalysis;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Sync;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Syncthing;

/// <summary>
/// One Syncthing folder per site, <c>hermit-{site id}</c> at <c>sites/{site id}</c>. This site's
/// own is send-only here: nothing a peer sends changes it. Every other site's is receive-only
/// here: what this site's disk holds of it is never sent back. Each is shared with every paired
/// device, so a site relays the sites it has heard of to the ones it is paired with: with A–B
/// and B–C paired, A's notes reach C through B.
/// </summary>
public sealed class SiteFolders(SyncthingClient syncthing, SiteIdentity site, IOptions<SyncOptions> options, TimeProvider time, ILogger<SiteFolders> logger)
{
    private const string Prefix = "hermit-";

    /// <summary>The one folder every site shared before each had its own.</summary>
    private const string LegacyFolderId = "hermit-sync";

    private readonly string _root = (options.Value.SyncthingFolderPath ?? options.Value.SyncFolder).TrimEnd('/');

    // Each folder taken costs Syncthing a configuration change and a scan, and any peer can offer thousands.
    private readonly TokenBucket _newFolders = new(options.Value.Keyring.NewSiteBurst, options.Value.Keyring.NewSitesPerMinute, time);

    public string OwnFolderId => IdOf(site.SiteId);

    public static string IdOf(string siteId) => Prefix + siteId;

    /// <summary>Whether <paramref name="folderId"/> is a site's folder, and whose.</summary>
    public static bool IsSiteFolder(string folderId, [NotNullWhen(true)] out string? siteId)
    {
        siteId = folderId.StartsWith(Prefix, StringComparison.Ordinal) ? folderId[Prefix.Length..] : null;
        return siteId is not null && SiteIds.IsValid(siteId);
    }

    /// <summary>
    /// Sets the folders up at every start: a site that shared one folder for all moves to a
    /// folder per site (the files stay where they are), its own folder is there and shared with
    /// every paired device, and folders peers offered are taken.
    /// </summary>
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if ((await syncthing.FolderIdsAsync(cancellationToken)).Contains(LegacyFolderId))
        {
            await syncthing.RemoveFolderAsync(LegacyFolderId, cancellationToken);
            logger.LogInformation("Moved from one shared folder to a folder per site; the files stay where they were");
        }
        var devices = await syncthing.DeviceIdsAsync(cancellationToken);
        await syncthing.EnsureFolderAsync(OwnFolderId, "Hermit Sync: this site", PathOf(site.SiteId), FolderType.SendOnly, devices, cancellationToken);
    }

    /// <summary>Shares every site's folder with a newly paired device.</summary>
    public async Task ShareWithAsync(string deviceId, CancellationToken cancellationToken)
    {
        foreach (var folderId in (await syncthing.FolderIdsAsync(cancellationToken)).Where(id => IsSiteFolder(id, out _)))
        {
            IsSiteFolder(folderId, out var siteId);
            var type = folderId == OwnFolderId ? FolderType.SendOnly : FolderType.ReceiveOnly;
            await syncthing.EnsureFolderAsync(folderId, Label(siteId!), PathOf(siteId!), type, [deviceId], cancellationToken);
        }
    }

    /// <summary>
    /// Takes the site folders paired devices offer, receive-only, at the path their id names, at
    /// the pace new sites are allowed; returns how long until the next may be taken, when some wait.
    /// Anything else offered, and anything offered by a device that is not paired, is left alone.
    /// </summary>
    public async Task<TimeSpan?> AcceptOffersAsync(CancellationToken cancellationToken)
    {
        var paired = (await syncthing.DeviceIdsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var offers in (await syncthing.FolderOffersAsync(cancellationToken)).Where(o => paired.Contains(o.DeviceId)).GroupBy(o => o.FolderId))
        {
            if (!IsSiteFolder(offers.Key, out var siteId) || siteId == site.SiteId)
            {
                continue;
            }
            if (!_newFolders.TryTake(out var retryAfter))
            {
                return retryAfter;
            }
            await syncthing.EnsureFolderAsync(offers.Key, Label(siteId), PathOf(siteId), FolderType.ReceiveOnly, paired, cancellationToken);
            logger.LogInformation("Receiving site {Site}'s folder, offered by {Devices}", siteId, string.Join(", ", offers.Select(o => o.DeviceId[..7])));
        }
        return null;
    }

    /// <summary>A site's folder as Syncthing sees it (a container path in container mode).</summary>
    private string PathOf(string siteId) => $"{_root}/{ChangeFileName.SitesFolder}/{siteId}";

    private static string Label(string siteId) => $"Hermit Sync: site {siteId[..8]}";
}
