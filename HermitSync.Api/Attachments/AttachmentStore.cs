using HermitSync.Api.Sync;
using HermitSync.Rqlite;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

namespace HermitSync.Api.Attachments;

/// <summary>Adds attachments (bytes to the blob store, then their row) and finds them again.</summary>
public sealed class AttachmentStore(RqliteClient rqlite, AttachmentBlobs blobs, SiteIdentity site, IOptions<AttachmentOptions> options, TimeProvider time, ExportHints hints)
{
    public long MaxBytes => options.Value.MaxBytes;

    /// <summary>Stores the content under its hash, then records it; the same content added again is the attachment stored before.</summary>
    public async Task<Attachment> AddAsync(Stream content, string name, CancellationToken cancellationToken)
    {
        var stored = await blobs.WriteAsync(content, MaxBytes, cancellationToken: cancellationToken);
        var attachment = new Attachment(stored.Hash, name, AttachmentTypes.Detect(stored.Head, name), stored.Size, time.GetUtcNow());
        var added = await rqlite.RequestAsync(AttachmentSql.Add(attachment, site.SiteId), idempotent: true, cancellationToken);
        hints.Written();
        return added;
    }

    /// <summary>Records attachments whose bytes an import stored, in one transaction; content here already keeps its row.</summary>
    public async Task RecordAsync(IReadOnlyList<Attachment> stored, CancellationToken cancellationToken)
    {
        if (stored.Count > 0)
        {
            await rqlite.ExecuteAsync(stored.Select(a => AttachmentSql.Insert(a, site.SiteId)).ToArray(), transaction: true, idempotent: true, cancellationToken);
            hints.Written();
        }
    }

    public Task<Attachment?> GetAsync(string hash, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(AttachmentSql.Get(hash), cancellationToken);

    public Task<AttachmentLookup> LookupAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(AttachmentSql.Lookup(hashes), cancellationToken);

    /// <summary>Where the bytes are, when they are on this machine.</summary>
    public string? PathOf(Attachment attachment) =>
        blobs.Contains(attachment.Hash) ? blobs.PathOf(attachment.Hash) : null;
}
