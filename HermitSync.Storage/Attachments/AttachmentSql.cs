using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>
/// Attachments' metadata (<c>attachments</c>) and which notes link to them
/// (<c>attachment_refs</c>). The bytes are in <see cref="AttachmentBlobs"/>; a row here means
/// they were stored on this machine. A reference is recorded whenever a revision linking to an
/// attachment is written, here or by a merge, and never removed, so an attachment that any
/// version of any note ever showed is kept as long as that version is.
/// </summary>
public static class AttachmentSql
{
    /// <summary>Read by <see cref="Read"/> in this order.</summary>
    private const string Columns = "hash, name, media_type, size, added_at";

    /// <summary>
    /// Records an attachment stored here, unless its content is here already, then reads the one
    /// stored: the same content added again keeps the name it was first added under.
    /// </summary>
    public static SqlBatch<Attachment> Add(Attachment attachment, string siteId) => new(
        [Insert(attachment, siteId), SqlStatement.Of($"SELECT {Columns} FROM attachments WHERE hash = ?", attachment.Hash)],
        results => Read(results[1].Rows[0]));

    /// <summary>Records an attachment this site stored, unless its content is here already.</summary>
    public static SqlStatement Insert(Attachment attachment, string siteId) => SqlStatement.Of(
        "INSERT INTO attachments (hash, name, media_type, size, added_at, site_id) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
        attachment.Hash, attachment.Name, attachment.MediaType, attachment.Size, attachment.AddedAt.ToUnixTimeMilliseconds(), siteId);

    public static SqlQuery<Attachment?> Get(string hash) => SqlQuery.FirstOrDefault(
        SqlStatement.Of($"SELECT {Columns} FROM attachments WHERE hash = ?", hash), Read);

    /// <summary>Which of <paramref name="hashes"/> are here, and which have not arrived.</summary>
    public static SqlQuery<AttachmentLookup> Lookup(IReadOnlyList<string> hashes) => new(
        SqlStatement.Of($"SELECT {Columns} FROM attachments WHERE hash IN (SELECT value FROM json_each(?))", JsonSerializer.Serialize(hashes, AttachmentJson.Default.IReadOnlyListString)),
        result =>
        {
            var here = result.Rows.Select(Read).ToArray();
            return new AttachmentLookup(here, hashes.Except(here.Select(a => a.Hash)).ToArray());
        });

    /// <summary>
    /// Records which attachments the given bodies link to, for the notes they belong to; null when
    /// they link to none. Written with the revisions, in their transaction.
    /// </summary>
    public static SqlStatement? Reference(IEnumerable<(string NoteId, string? Body)> bodies)
    {
        var references = bodies.SelectMany(b => AttachmentLinks.In(b.Body).Select(hash => new AttachmentReference(hash, b.NoteId))).Distinct().ToArray();
        return references.Length == 0
            ? null
            : SqlStatement.Of(
                "INSERT INTO attachment_refs (hash, note_id) SELECT value ->> '$.h', value ->> '$.n' FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
                JsonSerializer.Serialize(references, AttachmentJson.Default.AttachmentReferenceArray));
    }

    /// <summary>This site's own attachments not sealed into its sync folder yet, oldest first, after <paramref name="after"/>.</summary>
    public static SqlQuery<IReadOnlyList<Attachment>> Unsealed(string siteId, int limit, Attachment? after = null) => SqlQuery.Rows(
        SqlStatement.Of(
            $"SELECT {Columns} FROM attachments WHERE site_id = ? AND sealed_at IS NULL AND (added_at, hash) > (?, ?) ORDER BY added_at, hash LIMIT ?",
            siteId, after?.AddedAt.ToUnixTimeMilliseconds() ?? long.MinValue, after?.Hash ?? "", limit),
        Read);

    /// <summary>This site's own attachments, sealed or not, oldest first, after <paramref name="after"/>: to seal again under a new passphrase epoch.</summary>
    public static SqlQuery<IReadOnlyList<Attachment>> Own(string siteId, int limit, Attachment? after = null) => SqlQuery.Rows(
        SqlStatement.Of(
            $"SELECT {Columns} FROM attachments WHERE site_id = ? AND (added_at, hash) > (?, ?) ORDER BY added_at, hash LIMIT ?",
            siteId, after?.AddedAt.ToUnixTimeMilliseconds() ?? long.MinValue, after?.Hash ?? "", limit),
        Read);

    /// <summary>To be sealed again: its file stands under a name of a passphrase epoch the site no longer writes under.</summary>
    public static SqlStatement MarkUnsealed(string hash) =>
        SqlStatement.Of("UPDATE attachments SET sealed_at = NULL WHERE hash = ?", hash);

    public static SqlStatement MarkSealed(string hash, DateTimeOffset at) =>
        SqlStatement.Of("UPDATE attachments SET sealed_at = ? WHERE hash = ?", at.ToUnixTimeMilliseconds(), hash);

    /// <summary>An attachment that arrived from <paramref name="siteId"/>'s folder, unless its content is here already.</summary>
    public static SqlStatement Received(Attachment attachment, string siteId, DateTimeOffset at) => SqlStatement.Of(
        "INSERT INTO attachments (hash, name, media_type, size, added_at, site_id, sealed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING",
        attachment.Hash, attachment.Name, attachment.MediaType, attachment.Size, attachment.AddedAt.ToUnixTimeMilliseconds(), siteId, at.ToUnixTimeMilliseconds());

    /// <summary>Attachments no note has ever linked to, added before <paramref name="before"/>: garbage.</summary>
    public static SqlQuery<IReadOnlyList<OwnedAttachment>> Unreferenced(DateTimeOffset before, int limit) => SqlQuery.Rows(
        SqlStatement.Of(
            $"SELECT {Columns}, site_id FROM attachments a WHERE added_at < ? AND NOT EXISTS (SELECT 1 FROM attachment_refs r WHERE r.hash = a.hash) ORDER BY added_at LIMIT ?",
            before.ToUnixTimeMilliseconds(), limit),
        row => new OwnedAttachment(Read(row), row.GetString(5)));

    /// <summary>Forgets an attachment, unless a note has linked to it since it was found unreferenced.</summary>
    public static SqlStatement Remove(string hash) => SqlStatement.Of(
        "DELETE FROM attachments WHERE hash = ? AND NOT EXISTS (SELECT 1 FROM attachment_refs WHERE hash = ?)", hash, hash);

    /// <summary>Every attachment here, by hash.</summary>
    public static SqlQuery<IReadOnlyList<string>> Hashes { get; } = SqlQuery.Rows(SqlStatement.Of("SELECT hash FROM attachments"), row => row.GetString(0));

    private static Attachment Read(RqliteRow row) => new(
        row.GetString(0), row.GetString(1), row.GetString(2), row.GetInt64(3), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(4)));
}

/// <summary>An attachment and the site that added it, whose folder carries its sealed file.</summary>
public sealed record OwnedAttachment(Attachment Attachment, string SiteId);

internal sealed record AttachmentReference(
    [property: System.Text.Json.Serialization.JsonPropertyName("h")] string Hash,
    [property: System.Text.Json.Serialization.JsonPropertyName("n")] string NoteId);

[System.Text.Json.Serialization.JsonSerializable(typeof(AttachmentReference[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class AttachmentJson : System.Text.Json.Serialization.JsonSerializerContext;
