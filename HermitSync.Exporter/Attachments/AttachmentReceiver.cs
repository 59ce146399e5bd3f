using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Sync;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Attachments;

/// <summary>
/// Takes in other sites' attachments: verifies each sealed file part by part as its content
/// streams into the blob store, checks that the content hashes to what its manifest and its name
/// say, and only then records it, so a note's placeholder turns into the file. An attachment
/// whose content is here already, from any site, is not read again.
/// </summary>
public sealed class AttachmentReceiver(
    RqliteClient rqlite,
    SyncKeyring keyring,
    SyncFolder folder,
    AttachmentBlobs blobs,
    IOptions<AttachmentOptions> options,
    TimeProvider time,
    ILogger<AttachmentReceiver> logger)
{
    // The names (not hashes) of the content here: a file's name is all a scan sees.
    private readonly HashSet<string> _here = new(StringComparer.Ordinal);

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var hash in await rqlite.QueryAsync(AttachmentSql.Hashes, ReadConsistency.Linearizable, cancellationToken))
        {
            _here.UnionWith(AttachmentFileName.NamesOf(keyring, hash));
        }
    }

    public bool IsHere(AttachmentCandidate candidate) => _here.Contains(candidate.Name.Name);

    /// <summary>
    /// Verifies and stores one attachment; false when its file is gone. Every way it can be wrong
    /// ends in a <see cref="ChangeFileRejectedException"/> with a reason, and nothing of it is kept.
    /// </summary>
    public async Task<bool> ReceiveAsync(AttachmentCandidate candidate, CancellationToken cancellationToken)
    {
        using var file = folder.OpenToRead(candidate.RelativePath);
        if (file is null)
        {
            return false;
        }
        var maxBytes = options.Value.MaxBytes;
        var opened = AttachmentFile.Open(keyring, file, candidate.Name, maxBytes);
        StoredBlob stored;
        try
        {
            stored = await blobs.WriteAsync(opened.Content, maxBytes, opened.Manifest.Hash, cancellationToken);
        }
        catch (AttachmentHashMismatchException e)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"Its content is not what its manifest says: {e.Message}");
        }
        var now = time.GetUtcNow();
        // Kept as long from its arrival here as one added here: its site's clock is not this one's.
        var attachment = new Attachment(stored.Hash, opened.Manifest.Name, AttachmentTypes.Detect(stored.Head, opened.Manifest.Name), stored.Size, now);
        await rqlite.ExecuteAsync(AttachmentSql.Received(attachment, opened.SiteId, now), idempotent: true, cancellationToken);
        _here.Add(candidate.Name.Name);
        SyncTelemetry.AttachmentsImported.Add(1);
        SyncTelemetry.BytesImported.Add(candidate.Length);
        logger.LogInformation("Received attachment {Name} ({Size} bytes) from site {Site}", attachment.Name, attachment.Size, opened.SiteId);
        return true;
    }
}
