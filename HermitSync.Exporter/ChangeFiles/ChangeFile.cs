using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HermitSync.Storage;
using NSec.Cryptography;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// What a change file's header says, all of it authenticated. <see cref="TraceContext"/> is the
/// export's span, so the import at another site continues its trace; <c>default</c> when the
/// export was not traced or the file is of version 1.
/// </summary>
public sealed record ChangeFileHeader(int FormatVersion, ChangeFileKind Kind, string SiteId, long Sequence, long FirstHlc, long LastHlc, int RowCount,
    ActivityContext TraceContext = default);

/// <summary>
/// The encrypted change-file format, version 2 (see docs/change-file-format.md). A fixed
/// 129-byte header, then Brotli-compressed JSON revisions sealed with XChaCha20-Poly1305; the
/// header is the associated data, so no field of it can be changed unnoticed. Version 1 files,
/// whose 104-byte header has no trace context, are still read.
/// </summary>
public static class ChangeFile
{
    public const int FormatVersion = 2;
    public const int HeaderBytes = 129;
    public const int Version1HeaderBytes = 104;
    public const int TagBytes = 16;
    private const int VersionEnd = 10;
    private const int TraceIdOffset = 104;
    private const int SpanIdOffset = 120;
    private const int TraceFlagsOffset = 128;
    public const long MaxFileBytes = 256L * 1024 * 1024;
    private static ReadOnlySpan<byte> Magic => "HRMTSYNC"u8;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>Seals revisions into a file; <paramref name="trace"/> (e.g. the export's span) goes into the header.</summary>
    public static byte[] Seal(SyncKeyring keyring, ChangeFileKind kind, string siteId, long sequence, IReadOnlyList<NoteRevision> revisions,
        ActivityContext trace = default)
    {
        var salt = SyncKeyring.SaltFor(siteId);
        var key = keyring.ForSalt(salt);
        var header = new byte[HeaderBytes];
        var nonce = RandomNumberGenerator.GetBytes(Aead.NonceSize);
        WriteHeader(header, kind, siteId, sequence,
            revisions.Count == 0 ? 0 : revisions.Min(r => r.Hlc),
            revisions.Count == 0 ? 0 : revisions.Max(r => r.Hlc),
            revisions.Count, salt, key.Check, nonce);
        WriteTraceContext(header, trace);

        var plaintext = Compress(JsonSerializer.SerializeToUtf8Bytes(revisions as NoteRevision[] ?? revisions.ToArray(), RevisionJson.Default.NoteRevisionArray));
        var file = new byte[HeaderBytes + plaintext.Length + TagBytes];
        header.CopyTo(file, 0);
        Aead.Encrypt(key.Key, nonce, header, plaintext, file.AsSpan(HeaderBytes));
        return file;
    }

    /// <summary>
    /// Verifies and opens a file. Every way a file can be wrong ends in a
    /// <see cref="ChangeFileRejectedException"/> with a reason; nothing unverified is returned.
    /// </summary>
    public static (ChangeFileHeader Header, NoteRevision[] Revisions) Open(SyncKeyring keyring, ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxFileBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.TooLarge, $"{file.Length} bytes is over the {MaxFileBytes} byte limit.");
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
            FormatVersion => HeaderBytes,
            _ => throw new ChangeFileRejectedException(RejectionReason.UnknownVersion, $"Format version {version}; this build reads versions 1 and {FormatVersion}."),
        };
        if (file.Length < headerBytes + TagBytes)
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

        var key = keyring.ForSalt(header.Slice(56, SyncKeyring.SaltBytes));
        if (!CryptographicOperations.FixedTimeEquals(key.Check, header.Slice(72, SyncKeyring.CheckBytes)))
        {
            throw new ChangeFileRejectedException(RejectionReason.WrongKey, "It was sealed under another sync passphrase, or its salt was altered.");
        }
        var plaintext = new byte[file.Length - headerBytes - TagBytes];
        if (!Aead.Decrypt(key.Key, header.Slice(80, Aead.NonceSize), header, file[headerBytes..], plaintext))
        {
            throw new ChangeFileRejectedException(RejectionReason.AuthenticationFailed, "Authentication failed: the file was altered or cut short.");
        }

        NoteRevision[] revisions;
        try
        {
            revisions = JsonSerializer.Deserialize(Decompress(plaintext), RevisionJson.Default.NoteRevisionArray)
                ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"The sealed content is not valid: {e.Message}");
        }
        Validate(parsed, revisions);
        return (parsed, revisions);
    }

    /// <summary>A file is authentic once decrypted, but its content must still match its header and be well formed.</summary>
    private static void Validate(ChangeFileHeader header, NoteRevision[] revisions)
    {
        if (revisions.Length != header.RowCount)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"The header says {header.RowCount} rows but the file holds {revisions.Length}.");
        }
        foreach (var revision in revisions)
        {
            var problem = revision switch
            {
                _ when revision.SiteId != header.SiteId && header.Kind == ChangeFileKind.Changes => "a revision of another site",
                _ when !SiteIds.IsValid(revision.SiteId) => "a malformed site id",
                _ when !Guid.TryParseExact(revision.NoteId, "D", out _) => "a malformed note id",
                _ when revision.Hlc < header.FirstHlc || revision.Hlc > header.LastHlc => "a clock stamp outside the header's range",
                _ when revision.Title is null || revision.Body is null || revision.Parents is null => "a missing field",
                _ when revision.Parents.Any(p => p is null || !SiteIds.IsValid(p.SiteId)) => "a malformed parent",
                _ => null,
            };
            if (problem is not null)
            {
                throw new ChangeFileRejectedException(RejectionReason.Malformed, $"It holds {problem} (note {revision.NoteId}).");
            }
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

    private static byte[] Decompress(byte[] data)
    {
        using var brotli = new BrotliStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        brotli.CopyTo(output);
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
}

public sealed class ChangeFileRejectedException(RejectionReason reason, string detail) : Exception($"{reason}: {detail}")
{
    public RejectionReason Reason { get; } = reason;

    public string Detail { get; } = detail;
}
