using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HermitSync.Storage;
using HermitSync.Exporter.Passphrase;
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
/// The encrypted change-file format, version 5 (see docs/change-file-format.md). In clear, only
/// what routing needs: a 68-byte header of magic, version, kind, site, sequence, key epoch and
/// nonce. Sealed with XChaCha20-Poly1305 under the header as associated data: the clock stamps,
/// row count and trace context, then Brotli-compressed JSON revisions and property writes,
/// padded so a file's length says little about what it holds. Last, the writing site's Ed25519
/// signature over all that, checked before anything is decrypted: the passphrase lets a peer
/// read, the site's key alone lets it write as the site. Versions 1 to 4 (a 129-byte clear
/// header; 1 to 3 unsigned, 1 and 2 revisions alone, 1 a 104-byte header) are still read.
/// </summary>
public static class ChangeFile
{
    public const int FormatVersion = 5;

    /// <summary>The last version with its clock stamps, row count and trace context in clear.</summary>
    private const int ClearHeaderVersion = 4;

    /// <summary>The last version without a signature.</summary>
    private const int UnsignedVersion = 3;

    /// <summary>The last version whose content is an array of revisions alone.</summary>
    private const int RevisionsOnlyVersion = 2;
    public const int HeaderBytes = 68;
    public const int Version4HeaderBytes = 129;
    public const int Version1HeaderBytes = 104;

    /// <summary>What the sealed part holds before the content: clock stamps, rows, trace context and the content's length.</summary>
    private const int InnerHeaderBytes = 49;

    /// <summary>No sealed part is shorter: a file's length does not tell one revision from a few.</summary>
    private const int MinSealedBytes = 512;
    private const int EpochOffset = 36;
    private const int NonceOffset = 44;
    public const int TagBytes = 16;
    private const int VersionEnd = 10;
    private static ReadOnlySpan<byte> Magic => "HRMTSYNC"u8;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>Seals revisions and property writes into a file signed by <paramref name="signer"/>; <paramref name="trace"/> (e.g. the export's span) goes into the header.</summary>
    public static byte[] Seal(SyncKeyring keyring, SiteSigningKey signer, ChangeFileKind kind, string siteId, long sequence, ChangeSet changes, ActivityContext trace = default) =>
        SealContent(keyring, signer, kind, siteId, sequence, changes.FirstHlc, changes.LastHlc, changes.Count,
            Compress(Serialize(changes, new ArrayBufferWriter<byte>()).WrittenSpan), trace);

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
        var (epoch, key) = keyring.ForOwnSite(siteId);
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), FormatVersion);
        header[10] = (byte)kind;
        Convert.FromHexString(siteId).CopyTo(header, 12);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(28), sequence);
        Convert.FromHexString(epoch.Tag).CopyTo(header, EpochOffset);
        RandomNumberGenerator.Fill(header.AsSpan(NonceOffset, Aead.NonceSize));

        var inner = new byte[PaddedLength(InnerHeaderBytes + compressedContent.Length)];
        BinaryPrimitives.WriteInt64BigEndian(inner, firstHlc);
        BinaryPrimitives.WriteInt64BigEndian(inner.AsSpan(8), lastHlc);
        BinaryPrimitives.WriteInt32BigEndian(inner.AsSpan(16), rows);
        WriteTraceContext(inner.AsSpan(20, 25), trace);
        BinaryPrimitives.WriteInt32BigEndian(inner.AsSpan(45), compressedContent.Length);
        compressedContent.CopyTo(inner, InnerHeaderBytes);

        var sealedBytes = HeaderBytes + inner.Length + TagBytes;
        var file = new byte[sealedBytes + SiteSigningKey.SignatureBytes];
        header.CopyTo(file, 0);
        Aead.Encrypt(key.Key, header.AsSpan(NonceOffset, Aead.NonceSize), header, inner, file.AsSpan(HeaderBytes, sealedBytes - HeaderBytes));
        signer.Sign(file.AsSpan(0, sealedBytes)).CopyTo(file, sealedBytes);
        return file;
    }

    /// <summary>
    /// Padmé (Nikitin et al., PETS 2019): the length rounded up so that at most O(log log n) of
    /// its bits say anything, at most 12% more bytes; never under <see cref="MinSealedBytes"/>.
    /// </summary>
    internal static int PaddedLength(int length)
    {
        if (length <= MinSealedBytes)
        {
            return MinSealedBytes;
        }
        var exponent = 31 - int.LeadingZeroCount(length);
        var meaningful = 32 - int.LeadingZeroCount(exponent);
        var mask = (1 << (exponent - meaningful)) - 1;
        return (length + mask) & ~mask;
    }

    /// <summary>How many bytes of a file <see cref="EpochOf"/> needs.</summary>
    public const int EpochEnd = NonceOffset;

    /// <summary>
    /// The key epoch a file of this format names in its clear header; null for an earlier version,
    /// or anything else. Unverified: for a site to look over its own files, not to trust a peer's.
    /// </summary>
    public static string? EpochOf(ReadOnlySpan<byte> head) =>
        head.Length >= EpochEnd && head[..Magic.Length].SequenceEqual(Magic) && BinaryPrimitives.ReadUInt16BigEndian(head[8..]) == FormatVersion
            ? Convert.ToHexStringLower(head.Slice(EpochOffset, SyncPassphrases.TagBytes))
            : null;

    /// <summary>How many bytes <paramref name="changes"/> take in a file once decompressed: what <see cref="ChangeFileLimits.MaxContentBytes"/> bounds.</summary>
    public static long ContentBytes(ChangeSet changes) => Serialize(changes, new ByteCounter()).Count;

    /// <summary>
    /// Writes a change set's JSON into <paramref name="output"/>. Not through
    /// <c>SerializeToUtf8Bytes</c>: that grows its buffer in the process's shared array pool,
    /// which keeps a set's megabytes long after the file is written.
    /// </summary>
    private static TOutput Serialize<TOutput>(ChangeSet changes, TOutput output) where TOutput : IBufferWriter<byte>
    {
        using var writer = new Utf8JsonWriter(output);
        JsonSerializer.Serialize(writer, changes, ChangeSetJson.Default.ChangeSet);
        return output;
    }

    /// <summary>Counts what is written to it into one small scratch buffer, keeping none of it.</summary>
    private sealed class ByteCounter : IBufferWriter<byte>
    {
        private byte[] _scratch = new byte[4096];

        public long Count { get; private set; }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint).Span;

        private Memory<byte> Scratch(int sizeHint)
        {
            if (sizeHint > _scratch.Length)
            {
                _scratch = new byte[sizeHint];
            }
            return _scratch;
        }
    }

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
            RevisionsOnlyVersion or UnsignedVersion or ClearHeaderVersion => Version4HeaderBytes,
            FormatVersion => HeaderBytes,
            _ => throw new ChangeFileRejectedException(RejectionReason.UnknownVersion, $"Format version {version}; this build reads versions 1 to {FormatVersion}."),
        };
        var signatureBytes = version > UnsignedVersion ? SiteSigningKey.SignatureBytes : 0;
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
        var siteId = Convert.ToHexStringLower(header.Slice(12, 16));
        var sequence = BinaryPrimitives.ReadInt64BigEndian(header[28..]);

        var signer = keys.KeyOf(siteId) ?? throw ChangeFileDeferredException.AwaitingKey(siteId);
        if (sequence > signer.RevokedAfter)
        {
            throw new ChangeFileRejectedException(RejectionReason.Revoked,
                $"Site {siteId} was unpaired after its file {signer.RevokedAfter}; what it signs since is refused.");
        }
        if (signatureBytes == 0)
        {
            if (sequence > signer.UnsignedThrough)
            {
                throw new ChangeFileRejectedException(RejectionReason.Unsigned,
                    $"It is unsigned, but site {siteId} has signed every file after {signer.UnsignedThrough}: it is forged.");
            }
        }
        else if (!SiteSigningKey.Verify(signer.PublicKey, file[..^signatureBytes], file[^signatureBytes..]))
        {
            throw new ChangeFileRejectedException(RejectionReason.BadSignature,
                $"It is not signed by site {siteId}'s key ({SiteFingerprint.Of(signer.PublicKey)}): it is forged or altered.");
        }
        var sealedPart = file[..^signatureBytes];
        var (epoch, key, nonce) = version == FormatVersion ? KeyOf(keyring, siteId, header) : KeyByCheck(keyring, siteId, header);
        var plaintext = new byte[sealedPart.Length - headerBytes - TagBytes];
        if (!Aead.Decrypt(key.Key, nonce, header, sealedPart[headerBytes..], plaintext))
        {
            throw new ChangeFileRejectedException(RejectionReason.AuthenticationFailed, "Authentication failed: the file was altered or cut short.");
        }
        keyring.Verified(siteId, epoch);

        ChangeFileHeader parsed;
        byte[] compressed;
        if (version == FormatVersion)
        {
            var contentBytes = plaintext.Length < InnerHeaderBytes ? -1 : BinaryPrimitives.ReadInt32BigEndian(plaintext.AsSpan(45));
            if (contentBytes < 0 || contentBytes > plaintext.Length - InnerHeaderBytes || plaintext.AsSpan(InnerHeaderBytes + contentBytes).ContainsAnyExcept((byte)0))
            {
                throw new ChangeFileRejectedException(RejectionReason.Malformed, "Its sealed part does not hold a content length and zero padding.");
            }
            parsed = new ChangeFileHeader(version, kind, siteId, sequence,
                BinaryPrimitives.ReadInt64BigEndian(plaintext), BinaryPrimitives.ReadInt64BigEndian(plaintext.AsSpan(8)), BinaryPrimitives.ReadInt32BigEndian(plaintext.AsSpan(16)),
                ReadTraceContext(plaintext.AsSpan(20, 25)));
            compressed = plaintext[InnerHeaderBytes..(InnerHeaderBytes + contentBytes)];
        }
        else
        {
            parsed = new ChangeFileHeader(version, kind, siteId, sequence,
                BinaryPrimitives.ReadInt64BigEndian(header[36..]), BinaryPrimitives.ReadInt64BigEndian(header[44..]), BinaryPrimitives.ReadInt32BigEndian(header[52..]),
                version == 1 ? default : ReadTraceContext(header.Slice(104, 25)));
            compressed = plaintext;
        }

        ChangeSet changes;
        try
        {
            var content = Decompress(compressed, limits.MaxContentBytes);
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

    /// <summary>A file of format 5 names its key epoch: one this site does not hold waits for the passphrase, unread.</summary>
    private static (PassphraseEpoch, SyncKeyring.DerivedKey, byte[]) KeyOf(SyncKeyring keyring, string siteId, ReadOnlySpan<byte> header)
    {
        var tag = Convert.ToHexStringLower(header.Slice(EpochOffset, SyncPassphrases.TagBytes));
        var epoch = keyring.Passphrases.Find(tag);
        if (epoch is null)
        {
            keyring.Passphrases.Need(siteId, tag);
            throw ChangeFileDeferredException.AwaitingPassphrase(siteId);
        }
        var key = keyring.ForPeer(siteId, epoch, out var retryAfter) ?? throw new ChangeFileDeferredException(siteId, retryAfter);
        return (epoch, key, header.Slice(NonceOffset, Aead.NonceSize).ToArray());
    }

    /// <summary>A file of format 4 or before carries its site's salt and a check value of the key: the held epoch whose key matches opens it.</summary>
    private static (PassphraseEpoch, SyncKeyring.DerivedKey, byte[]) KeyByCheck(SyncKeyring keyring, string siteId, ReadOnlySpan<byte> header)
    {
        // Every site writes under the salt of its own id, so any other salt is refused before a key is derived for it.
        if (!header.Slice(56, SyncKeyring.SaltBytes).SequenceEqual(SyncKeyring.SaltFor(siteId)))
        {
            throw new ChangeFileRejectedException(RejectionReason.WrongKey, "Its salt is not the one its site's id gives: it was altered or forged.");
        }
        var (epoch, key) = keyring.ForPeerByCheck(siteId, header.Slice(72, SyncKeyring.CheckBytes), out var retryAfter)
            ?? throw (retryAfter > TimeSpan.Zero
                ? new ChangeFileDeferredException(siteId, retryAfter)
                : new ChangeFileRejectedException(RejectionReason.WrongKey, "It was sealed under a sync passphrase this site does not hold, or its salt was altered."));
        return (epoch, key, header.Slice(80, Aead.NonceSize).ToArray());
    }

    /// <summary>W3C trace context without its version byte: all zeros when there is none.</summary>
    private static void WriteTraceContext(Span<byte> context, ActivityContext trace)
    {
        if (trace == default)
        {
            return;
        }
        trace.TraceId.CopyTo(context[..16]);
        trace.SpanId.CopyTo(context.Slice(16, 8));
        context[24] = (byte)trace.TraceFlags;
    }

    /// <summary>
    /// Returned only with the rest of the header, once decryption has authenticated it: a file
    /// that fails verification never lends its context to a trace.
    /// </summary>
    private static ActivityContext ReadTraceContext(ReadOnlySpan<byte> context)
    {
        var traceId = context[..16];
        var spanId = context.Slice(16, 8);
        if (!traceId.ContainsAnyExcept((byte)0) || !spanId.ContainsAnyExcept((byte)0))
        {
            return default;
        }
        return new ActivityContext(ActivityTraceId.CreateFromBytes(traceId), ActivitySpanId.CreateFromBytes(spanId),
            (ActivityTraceFlags)(context[24] & (byte)ActivityTraceFlags.Recorded), isRemote: true);
    }

    private static byte[] Compress(ReadOnlySpan<byte> data)
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

    public static ChangeFileDeferredException AwaitingPassphrase(string siteId) =>
        new(siteId, null, $"Site {siteId} writes under a sync passphrase this site does not hold yet: give this site the new passphrase on its Sync page.");

    public static ChangeFileDeferredException AwaitingKey(string siteId) =>
        new(siteId, null, $"No key is trusted for site {siteId} yet: pair with its device, or with a site that trusts it.");

    /// <summary>An attachment under an epoch this site does not hold, and that its site has not said it writes under: that word may still be on its way.</summary>
    public static ChangeFileDeferredException UnannouncedEpoch(string siteId, string tag) =>
        new(siteId, null, $"It was sealed under passphrase epoch {tag}, which this site does not hold and site {siteId} has not said it writes under.") { Unannounced = true };

    public string SiteId { get; } = siteId;

    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Whether this is <see cref="UnannouncedEpoch"/>, which waits only so long.</summary>
    public bool Unannounced { get; private init; }
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
