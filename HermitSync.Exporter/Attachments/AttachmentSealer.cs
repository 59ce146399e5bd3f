using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Sync;
using HermitSync.Exporter.Syncthing;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Attachments;

/// <summary>
/// Seals this site's new attachments into its folder, each as its own file, for Syncthing to
/// carry; and removes attachments no note has linked to for <see cref="AttachmentOptions.KeepUnreferencedFor"/>,
/// here and, for this site's own, from its folder. Once the site writes under a new passphrase
/// epoch, it seals its attachments again under it, so a site that holds only the new passphrase
/// reads them too, and removes their files under the old.
/// </summary>
public sealed class AttachmentSealer(
    RqliteClient rqlite,
    SiteIdentity site,
    SyncKeyring keyring,
    SyncFolder folder,
    SyncthingClient syncthing,
    AttachmentBlobs blobs,
    IOptions<AttachmentOptions> options,
    TimeProvider time,
    ILogger<AttachmentSealer> logger) : BackgroundService
{
    /// <summary>Attachments sealed per look: each is a file of up to the attachment limit.</summary>
    private const int SealedPerLook = 16;

    private const int CollectedPerLook = 500;

    private readonly AttachmentOptions _options = options.Value;
    private readonly HashSet<string> _missingReported = new(StringComparer.Ordinal);
    private DateTimeOffset _nextCollection = time.GetUtcNow();
    private readonly Wakeup _wakeup = new();
    // The epoch this run last sealed under: null before the first look, which checks every attachment once.
    private string? _sealedUnder;

    /// <summary>Looks for new attachments now: the API says this site wrote something.</summary>
    public void Wake() => _wakeup.Nudge();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SealNewAsync(stoppingToken);
                if (time.GetUtcNow() >= _nextCollection)
                {
                    await CollectAsync(stoppingToken);
                    _nextCollection = time.GetUtcNow() + _options.CollectEvery;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Sealing or collecting attachments failed; retrying");
            }
            // Sealing waits for the API's word or its interval; collecting keeps its own time.
            var untilCollection = _nextCollection - time.GetUtcNow();
            var wait = untilCollection < _options.SealEvery ? untilCollection : _options.SealEvery;
            await _wakeup.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, stoppingToken);
        }
    }

    /// <summary>
    /// Seals every one of this site's attachments not sealed yet, oldest first, a page at a time.
    /// One whose file is missing is passed over (and reported once), so it never holds up the rest.
    /// </summary>
    public async Task SealNewAsync(CancellationToken cancellationToken)
    {
        if (keyring.Passphrases.Writing is not { } epoch)
        {
            return;
        }
        if (_sealedUnder != epoch.Tag && keyring.Passphrases.History.Count > 1)
        {
            await MarkSealedUnderOldEpochsAsync(cancellationToken);
        }
        _sealedUnder = epoch.Tag;
        var sealedAny = false;
        IReadOnlyList<Attachment> unsealed = [];
        do
        {
            unsealed = await rqlite.QueryAsync(AttachmentSql.Unsealed(site.SiteId, SealedPerLook, unsealed.LastOrDefault()), ReadConsistency.Weak, cancellationToken);
            sealedAny |= await SealAsync(unsealed, cancellationToken);
        }
        while (unsealed.Count == SealedPerLook);
        if (sealedAny)
        {
            // At once, rather than when Syncthing's watcher next looks.
            await syncthing.ScanAsync(SiteFolders.IdOf(site.SiteId), cancellationToken);
        }
    }

    /// <summary>Marks this site's attachments whose file does not stand under the current epoch's name to be sealed again.</summary>
    private async Task MarkSealedUnderOldEpochsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Attachment> own = [];
        do
        {
            own = await rqlite.QueryAsync(AttachmentSql.Own(site.SiteId, CollectedPerLook, own.LastOrDefault()), ReadConsistency.Weak, cancellationToken);
            foreach (var attachment in own.Where(a => !File.Exists(Path.Combine(folder.Root, AttachmentFileName.For(keyring, site.SiteId, a.Hash).RelativePath))))
            {
                await rqlite.ExecuteAsync(AttachmentSql.MarkUnsealed(attachment.Hash), idempotent: true, cancellationToken);
            }
        }
        while (own.Count == CollectedPerLook);
    }

    /// <summary>Removes this site's file of an attachment under every epoch's name but <paramref name="kept"/>.</summary>
    private void RemoveOtherNames(string hash, string? kept = null)
    {
        foreach (var name in AttachmentFileName.NamesOf(keyring, hash).Where(name => name != kept))
        {
            folder.Remove(new AttachmentFileName(site.SiteId, name).RelativePath);
        }
    }

    /// <summary>Seals a page of attachments; true when it wrote any file.</summary>
    private async Task<bool> SealAsync(IReadOnlyList<Attachment> unsealed, CancellationToken cancellationToken)
    {
        var sealedAny = false;
        foreach (var attachment in unsealed)
        {
            await using var content = blobs.OpenRead(attachment.Hash);
            if (content is null)
            {
                if (_missingReported.Add(attachment.Hash))
                {
                    logger.LogWarning("Attachment {Hash} ({Name}) is recorded but its file is missing from {Folder}; it cannot be sent to other sites", attachment.Hash, attachment.Name, blobs.Root);
                }
                continue;
            }
            var name = AttachmentFileName.For(keyring, site.SiteId, attachment.Hash);
            // A file already at the name was sealed before a restart cut this short: the same content.
            var written = await folder.TryWriteOnceAsync(name.RelativePath, (file, token) => AttachmentFile.SealAsync(keyring, site.SiteId, attachment, content, file, token), cancellationToken);
            await rqlite.ExecuteAsync(AttachmentSql.MarkSealed(attachment.Hash, time.GetUtcNow()), idempotent: true, cancellationToken);
            RemoveOtherNames(attachment.Hash, kept: name.Name);
            if (written)
            {
                sealedAny = true;
                SyncTelemetry.AttachmentsExported.Add(1);
                SyncTelemetry.BytesExported.Add(new FileInfo(Path.Combine(folder.Root, name.RelativePath)).Length);
                logger.LogInformation("Sealed attachment {Name} ({Size} bytes) into {File}", attachment.Name, attachment.Size, name.RelativePath);
            }
        }
        return sealedAny;
    }

    /// <summary>Removes the attachments no note has linked to since before the cutoff.</summary>
    public async Task<int> CollectAsync(CancellationToken cancellationToken)
    {
        var garbage = await rqlite.QueryAsync(AttachmentSql.Unreferenced(time.GetUtcNow() - _options.KeepUnreferencedFor, CollectedPerLook), ReadConsistency.Strong, cancellationToken);
        var removed = 0;
        foreach (var (attachment, owner) in garbage)
        {
            // Not if a note linked to it since it was found.
            if ((await rqlite.ExecuteAsync(AttachmentSql.Remove(attachment.Hash), idempotent: true, cancellationToken)).RowsAffected == 0)
            {
                continue;
            }
            blobs.Delete(attachment.Hash);
            if (owner == site.SiteId)
            {
                RemoveOtherNames(attachment.Hash);
            }
            removed++;
        }
        if (removed > 0)
        {
            await syncthing.ScanAsync(SiteFolders.IdOf(site.SiteId), cancellationToken);
            logger.LogInformation("Removed {Count} attachments no note has linked to for {Days:0} days", removed, _options.KeepUnreferencedFor.TotalDays);
        }
        return removed;
    }
}
