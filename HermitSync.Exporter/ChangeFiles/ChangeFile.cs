using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HermitSync.Storage;
using HermitSync.Exporter.Trust;
using NSec.Cryptography;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// What a change file's header says, all of it authenticated. <see cref="TraceContext"/> is the
/// export's span, so the import at another site continues its trace; <c>default</c> when the
/// export was not traced or the file is of version 1.
/// </summary>
public sealed record ChangeFileHeader(int FormatVersion, ChangeFileKind Kind, string SiteId, long Sequence, long FirstHlc, long LastHlc, int RowCount,
    ActivityContext TraceContext = default);

/// <summary>A file that verified: its header and what it holds.</summary>
public sealed record OpenedChangeFile(ChangeFileHeader Header, ChangeSet Changes)
{
    public NoteRevision[] Revisions => Changes.Revisions;
}

/// <summary>
/// The encrypted change-file format, version 4 (see docs/change-file-format.md). A fixed
/// 129-byte header, then Brotli-compressed JSON revisions and property writes sealed with
/// XChaCha20-Poly1305; the header is the associated data, so no field of it can be changed
/// unnoticed. Last, the writing site's Ed25519 signature over all that, checked before anything
/// is decrypted: the passphrase lets a peer read, the site's key alone lets it write as the site.
/// Versions 1 to 3 (unsigned; version 2 holds revisions alone, version 1 has a 104-byte header
/// with no trace context) are still read, for the files a site wrote before it had a key.
/// </summary>
public static class ChangeFile
{
    public const int FormatVersion = 4;

    /// <summary>The last version without a signature.</summary>
    private const int UnsignedVersion = 3;

    /// <summary>The last version whose content is an array of revisions alone.</summary>
    private const int RevisionsOnlyVersion = 2;
    public const int HeaderBytes = 129;
    public const int Version1HeaderBytes = 104;
    public const int TagBytes = 16;
    private const int VersionEnd = 10;
    private const int TraceIdOffset = 104;
    private const int SpanIdOffset = 120;
    private const int TraceFlagsOffset = 128;
    private static ReadOnlySpan<byte> Magic => "HRMTSYNC"u8;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>Seals revisions and property writes into a file signed by <paramref name="signer"/>; <paramref name="trace"/> (e.g. the export's span) goes into the header.</summary>
    public static byte[] Seal(SyncKeyring keyring, SiteSigningKey signer, ChangeFileKind kind, string siteId, long sequence, ChangeSet changes, ActivityContext trace = default) =>
        SealContent(keyring, signer, kind, siteId, sequence, changes.FirstHlc, changes.LastHlc, changes.Count,
            Compress(JsonSerializer.SerializeToUtf8Bytes(changes, ChangeSetJson.Default.ChangeSet)), trace);

    /// <summary>Seals revisions alone into a file.</summary>
    public static byte[] Seal(SyncKeyring keyring, SiteSigningKey signer, ChangeFileKind kind, string siteId, long sequence, IReadOnlyList<NoteRevision> revisions,
        ActivityContext trace = default) =>
        Seal(keyring, signer, kind, siteId, sequence, ChangeSet.Of(revisions), trace);

    /// <summary>
    /// Seals already compressed content under a header that says what it holds. Seal is the one
    /// caller in the product; tests use it to write what no honest site would, as a compromised
    /// peer holding the passphrase could.
    /// </summary>
    internal static byte[] SealContent(SyncKeyring keyring, SiteSigningKey signer, ChangeFileKind kind, string siteId, long sequence, long firstHlc, long lastHlc, int rows,
        byte[] compressedContent, ActivityContext trace = default)
    {
        var key = keyring.ForOwnSite(siteId);
        var header = new byte[HeaderBytes];
        var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
        WriteHeader(header, kind, siteId, sequence, firstHlc, lastHlc, rows, SyncKeyring.SaltFor(siteId), key.Check, nonce);
        WriteTraceContext(header, trace);
        var sealedBytes = HeaderBytes + compressedContent.Length + TagBytes;
        var file = new byte[sealedBytes + SiteSigningKey.SignatureBytes];
        header.CopyTo(file, 0);
        Aead.Encrypt(key.Key, nonce, header, compressedContent, file.AsSpan(HeaderBytes, sealedBytes - HeaderBytes));
        signer.Sign(file.AsSpan(0, sealedBytes)).CopyTo(file, sealedBytes);
        return file;
    }

    /// <summary>How many bytes <paramref name="changes"/> take in a file once decompressed: what <see cref="ChangeFileLimits.MaxContentBytes"/> bounds.</summary>
    public static long ContentBytes(ChangeSet changes) =>
        JsonSerializer.SerializeToUtf8Bytes(changes, ChangeSetJson.Default.ChangeSet).LongLength;

    /// <summary>
    /// Verifies and opens a file. Every way a file can be wrong ends in a
    /// <see cref="ChangeFileRejectedException"/> with a reason; nothing unverified is returned.
    /// The work a file can cost is bounded before it is done: its length before anything is
    /// read, its signature under the key <paramref name="keys"/> trusts for its site before any
    /// key is derived (no trusted key yet: <see cref="ChangeFileDeferredException"/>), the key
    /// derivation to the salt its site must use (and, for a site not seen before, to the
    /// keyring's rate, else <see cref="ChangeFileDeferredException"/>), and its content to
    /// <see cref="ChangeFileLimits.MaxContentBytes"/> as it is decompressed.
    /// </summary>
    public static OpenedChangeFile Open(SyncKeyring keyring, ISiteKeys keys, ReadOnlySpan<byte> file, ChangeFileLimits? limits = null, DateTimeOffset? now = null)
    {
        limits ??= new ChangeFileLimits();
        if (file.Length > limits.MaxFileBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.TooLarge, $"{file.Length} bytes is over the {limits.MaxFileBytes} byte limit.");
        }
        if (file.Length < Magic.Length || !file[..Magic.Length].SequenceEqual(Magic))
        {
            throw new ChangeFileRejectedException(RejectionReason.NotAChangeFile, "It does not start with the Hermit Sync magic bytes.");
        }
        if (file.Length < VersionEnd)
        {
            throw new ChangeFileRejectedException(RejectionReason.Truncated, $"{file.Length} bytes is too short to hold a format version.");
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(file[8..]);
        var headerBytes = version switch
        {
            1 => Version1HeaderBytes,
            RevisionsOnlyVersion or UnsignedVersion or FormatVersion => HeaderBytes,
            _ => throw new ChangeFileRejectedException(RejectionReason.UnknownVersion, $"Format version {version}; this build reads versions 1 to {FormatVersion}."),
        };
        var signatureBytes = version == FormatVersion ? SiteSigningKey.SignatureBytes : 0;
        if (file.Length < headerBytes + TagBytes + signatureBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.Truncated, $"{file.Length} bytes is shorter than a header and a tag.");
        }
        var header = file[..headerBytes];
        var kind = (ChangeFileKind)header[10];
        if (kind is not (ChangeFileKind.Changes or ChangeFileKind.Snapshot) || header[11] != 0)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"Unknown kind {header[10]} or flags {header[11]}.");
        }
        var parsed = new ChangeFileHeader(
            version,
            kind,
            Convert.ToHexStringLower(header.Slice(12, 16)),
            BinaryPrimitives.ReadInt64BigEndian(header[28..]),
            BinaryPrimitives.ReadInt64BigEndian(header[36..]),
            BinaryPrimitives.ReadInt64BigEndian(header[44..]),
            BinaryPrimitives.ReadInt32BigEndian(header[52..]),
            version == 1 ? default : ReadTraceContext(header));

        var signer = keys.KeyOf(parsed.SiteId) ?? throw ChangeFileDeferredException.AwaitingKey(parsed.SiteId);
        if (parsed.Sequence > signer.RevokedAfter)
        {
            throw new ChangeFileRejectedException(RejectionReason.Revoked,
                $"Site {parsed.SiteId} was unpaired after its file {signer.RevokedAfter}; what it signs since is refused.");
        }
        if (signatureBytes == 0)
        {
            if (parsed.Sequence > signer.UnsignedThrough)
            {
                throw new ChangeFileRejectedException(RejectionReason.Unsigned,
                    $"It is unsigned, but site {parsed.SiteId} has signed every file after {signer.UnsignedThrough}: it is forged.");
            }
        }
        else if (!SiteSigningKey.Verify(signer.PublicKey, file[..^signatureBytes], file[^signatureBytes..]))
        {
            throw new ChangeFileRejectedException(RejectionReason.BadSignature,
                $"It is not signed by site {parsed.SiteId}'s key ({SiteFingerprint.Of(signer.PublicKey)}): it is forged or altered.");
        }
        var sealedPart = file[..^signatureBytes];

        // Every site writes under the salt of its own id, so any other salt is refused before a key is derived for it.
        if (!header.Slice(56, SyncKeyring.SaltBytes).SequenceEqual(SyncKeyring.SaltFor(parsed.SiteId)))
        {
            throw new ChangeFileRejectedException(RejectionReason.WrongKey, "Its salt is not the one its site's id gives: it was altered or forged.");
        }
        var key = keyring.ForPeer(parsed.SiteId, out var retryAfter)
            ?? throw new ChangeFileDeferredException(parsed.SiteId, retryAfter);
        if (!CryptographicOperations.FixedTimeEquals(key.Check, header.Slice(72, SyncKeyring.CheckBytes)))
        {
            throw new ChangeFileRejectedException(RejectionReason.WrongKey, "It was sealed under another sync passphrase, or its salt was altered.");
        }
        var plaintext = new byte[sealedPart.Length - headerBytes - TagBytes];
        if (!Aead.Decrypt(key.Key, header.Slice(80, Aead.NonceSize), header, sealedPart[headerBytes..], plaintext))
        {
            throw new ChangeFileRejectedException(RejectionReason.AuthenticationFailed, "Authentication failed: the file was altered or cut short.");
        }
        keyring.Verified(parsed.SiteId);

        ChangeSet changes;
        try
        {
            var content = Decompress(plaintext, limits.MaxContentBytes);
            changes = version <= RevisionsOnlyVersion
                ? ChangeSet.Of(JsonSerializer.Deserialize(content, RevisionJson.Default.NoteRevisionArray) ?? throw new JsonException("null"))
                : JsonSerializer.Deserialize(content, ChangeSetJson.Default.ChangeSet) is { Revisions: not null, Properties: not null } set ? set : throw new JsonException("a missing list");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"The sealed content is not valid: {e.Message}");
        }
        Validate(parsed, changes, now ?? DateTimeOffset.UtcNow, limits.MaxClockAhead);
        return new OpenedChangeFile(parsed, changes);
    }

    /// <summary>
    /// A file is authentic once decrypted, but its content must still match its header and obey
    /// the rules any revision made here obeys: a compromised peer holds the passphrase too. One
    /// bad revision or property write refuses the whole file, so nothing of it is applied.
    /// </summary>
    private static void Validate(ChangeFileHeader header, ChangeSet changes, DateTimeOffset now, TimeSpan maxClockAhead)
    {
        if (changes.Count != header.RowCount)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"The header says {header.RowCount} rows but the file holds {changes.Count}.");
        }
        var problem = changes.Revisions
            .Select(revision => revision is null ? "an empty revision"
                : RevisionRules.Check(revision, now, maxClockAhead) ?? (revision.SiteId != header.SiteId ? "a revision of another site" : null))
            .Concat(changes.Properties.Select(change => change is null ? "an empty property write"
                : Properties.Check(change, now, maxClockAhead) ?? (change.SiteId != header.SiteId ? "a property write of another site" : null)))
            .FirstOrDefault(p => p is not null);
        if (problem is not null)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"It holds {problem}.");
        }
        var (first, last) = (changes.FirstHlc, changes.LastHlc);
        if (first != header.FirstHlc || last != header.LastHlc)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"Its header gives clock stamps {header.FirstHlc} to {header.LastHlc}, but its content runs from {first} to {last}.");
        }
    }

    private static void WriteHeader(Span<byte> header, ChangeFileKind kind, string siteId, long sequence, long firstHlc, long lastHlc, int rows,
        ReadOnlySpan<byte> salt, ReadOnlySpan<byte> check, ReadOnlySpan<byte> nonce)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[8..], FormatVersion);
        header[10] = (byte)kind;
        header[11] = 0;
        Convert.FromHexString(siteId).CopyTo(header[12..]);
        BinaryPrimitives.WriteInt64BigEndian(header[28..], sequence);
        BinaryPrimitives.WriteInt64BigEndian(header[36..], firstHlc);
        BinaryPrimitives.WriteInt64BigEndian(header[44..], lastHlc);
        BinaryPrimitives.WriteInt32BigEndian(header[52..], rows);
        salt.CopyTo(header[56..]);
        check.CopyTo(header[72..]);
        nonce.CopyTo(header[80..]);
    }

    /// <summary>W3C trace context without its version byte: all zeros when there is none.</summary>
    private static void WriteTraceContext(Span<byte> header, ActivityContext trace)
    {
        if (trace == default)
        {
            return;
        }
        trace.TraceId.CopyTo(header.Slice(TraceIdOffset, 16));
        trace.SpanId.CopyTo(header.Slice(SpanIdOffset, 8));
        header[TraceFlagsOffset] = (byte)trace.TraceFlags;
    }

    /// <summary>
    /// Returned only with the rest of the header, once decryption has authenticated it: a file
    /// that fails verification never lends its context to a trace.
    /// </summary>
    private static ActivityContext ReadTraceContext(ReadOnlySpan<byte> header)
    {
        var traceId = header.Slice(TraceIdOffset, 16);
        var spanId = header.Slice(SpanIdOffset, 8);
        if (!traceId.ContainsAnyExcept((byte)0) || !spanId.ContainsAnyExcept((byte)0))
        {
            return default;
        }
        return new ActivityContext(ActivityTraceId.CreateFromBytes(traceId), ActivitySpanId.CreateFromBytes(spanId),
            (ActivityTraceFlags)(header[TraceFlagsOffset] & (byte)ActivityTraceFlags.Recorded), isRemote: true);
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest))
        {
            brotli.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A few kilobytes of Brotli can expand to gigabytes, so the output is capped as it is produced.</summary>
    private static byte[] Decompress(byte[] data, long maxBytes)
    {
        using var brotli = new BrotliStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81_920];
        int read;
        while ((read = brotli.Read(buffer)) > 0)
        {
            if (output.Length + read > maxBytes)
            {
                throw new ChangeFileRejectedException(RejectionReason.TooLarge, $"Its content expands past the {maxBytes} byte limit.");
            }
            output.Write(buffer, 0, read);
        }
        return output.ToArray();
    }
}

public enum RejectionReason
{
    NotAChangeFile,
    Truncated,
    UnknownVersion,
    Malformed,
    WrongKey,
    AuthenticationFailed,
    Replayed,
    TooLarge,
    /// <summary>A symbolic link, a folder where a file belongs, or anything else that is not a plain file.</summary>
    NotARegularFile,
    /// <summary>It could not be read: permissions, a name the file system refuses, an I/O error.</summary>
    Unreadable,
    /// <summary>A file stood at the name this site was about to write in its own folder.</summary>
    NameTaken,
    /// <summary>Its signature is not the one its site's trusted key makes: forged by another holder of the passphrase, or altered.</summary>
    BadSignature,
    /// <summary>Unsigned, though its site signs every file it writes now.</summary>
    Unsigned,
    /// <summary>Its sequence number is further past the site's last applied file than any site writes.</summary>
    TooFarAhead,
    /// <summary>Written by a site after it was unpaired.</summary>
    Revoked,
}

public sealed class ChangeFileRejectedException(RejectionReason reason, string detail) : Exception($"{reason}: {detail}")
{
    public RejectionReason Reason { get; } = reason;

    public string Detail { get; } = detail;
}

/// <summary>
/// Not a refusal: the file's site is new and its key may be derived only after
/// <see cref="RetryAfter"/>, or no key is trusted for its site yet (<see cref="RetryAfter"/> is
/// null: a card that teaches it wakes the importer).
/// </summary>
public sealed class ChangeFileDeferredException(string siteId, TimeSpan? retryAfter, string message) : Exception(message)
{
    public ChangeFileDeferredException(string siteId, TimeSpan retryAfter)
        : this(siteId, retryAfter, $"The key of site {siteId} is not derived yet; new sites' keys are rate-limited.")
    {
    }

    public static ChangeFileDeferredException AwaitingKey(string siteId) =>
        new(siteId, null, $"No key is trusted for site {siteId} yet: pair with its device, or with a site that trusts it.");

    public string SiteId { get; } = siteId;

    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>What one file may cost to read. Each default is a setting of the exporter (<c>Sync:MaxFileBytes</c>, …).</summary>
public sealed record ChangeFileLimits
{
    /// <summary>A file on disk, checked before anything is read.</summary>
    public long MaxFileBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A file's content once decompressed, checked as it is decompressed.</summary>
    public long MaxContentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>How far ahead of this machine's clock a revision's stamps and times may be.</summary>
    public TimeSpan MaxClockAhead { get; init; } = RevisionRules.MaxClockAhead;
}

/// <summary>
/// A site's key as this site trusts it, the last of the site's files that may be unsigned
/// (written before it had a key), and, once the site was unpaired, the last of its files that may apply.
/// </summary>
public sealed record TrustedKey(byte[] PublicKey, long UnsignedThrough, long? RevokedAfter = null);

/// <summary>Where a file's reader learns which key may sign a site's files.</summary>
public interface ISiteKeys
{
    /// <summary>The key trusted for <paramref name="siteId"/>; null while none is.</summary>
    TrustedKey? KeyOf(string siteId);
}
