using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using HermitSync.Exporter.Passphrase;
using HermitSync.Storage;
using Microsoft.Win32.SafeHandles;
using NSec.Cryptography;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>What an attachment's sealed file says of its content, sealed like the content.</summary>
public sealed record AttachmentManifest(
    [property: JsonPropertyName("hash")] string Hash,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("addedAt")] long AddedAt);

/// <summary>An attachment's file whose header and manifest verified; its content verifies part by part as it is read.</summary>
public sealed record OpenedAttachment(string SiteId, AttachmentManifest Manifest, Stream Content);

/// <summary>
/// The sealed attachment format, version 2 (see docs/change-file-format.md): a fixed 102-byte
/// header that names its key epoch, a sealed manifest, then the content in 64 KiB parts, each
/// sealed on its own with XChaCha20-Poly1305 under the site's key, in the manner of libsodium's
/// secretstream (the STREAM construction): every part's nonce is the file's random prefix, the
/// part's number and a flag that marks the last, and the header is every part's associated data.
/// So a part cannot be altered, reordered, moved to another file or dropped from the end
/// unnoticed, and sealing or opening holds one part in memory, whatever the size.
/// </summary>
public static class AttachmentFile
{
    public const int FormatVersion = 2;

    /// <summary>The last version that carries a key check value where version 2 names the epoch.</summary>
    private const int CheckValueVersion = 1;

    public const int HeaderBytes = 102;
    public const int PartBytes = 64 * 1024;
    public const int TagBytes = 16;
    private const int MaxManifestBytes = 4096;
    private const int NoncePrefixBytes = 16;
    private const int KeyOffset = 42;
    private const int NameOffset = 50;
    private const int NoncePrefixOffset = 82;
    private const int PartBytesOffset = 98;
    private static ReadOnlySpan<byte> Magic => "HRMTATCH"u8;
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.XChaCha20Poly1305;

    /// <summary>Seals <paramref name="content"/>, <paramref name="attachment"/>'s bytes, as this site's, into <paramref name="output"/>.</summary>
    public static Task SealAsync(SyncKeyring keyring, string siteId, Attachment attachment, Stream content, Stream output, CancellationToken cancellationToken) =>
        SealAsync(keyring, siteId, attachment, content, output, FormatVersion, cancellationToken);

    /// <summary>Seals in <paramref name="formatVersion"/>: the product writes the current one, tests version 1 too, as an earlier build wrote it.</summary>
    internal static async Task SealAsync(SyncKeyring keyring, string siteId, Attachment attachment, Stream content, Stream output, int formatVersion,
        CancellationToken cancellationToken)
    {
        var (epoch, key) = keyring.ForOwnSite(siteId);
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), (ushort)formatVersion);
        Convert.FromHexString(siteId).CopyTo(header, 10);
        SyncKeyring.SaltFor(siteId).CopyTo(header, 26);
        (formatVersion == CheckValueVersion ? key.Check : Convert.FromHexString(epoch.Tag)).CopyTo(header, KeyOffset);
        Convert.FromHexString(AttachmentFileName.NameOf(keyring, epoch, attachment.Hash)).CopyTo(header, NameOffset);
        RandomNumberGenerator.Fill(header.AsSpan(NoncePrefixOffset, NoncePrefixBytes));
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(PartBytesOffset), PartBytes);
        await output.WriteAsync(header, cancellationToken);

        var manifest = JsonSerializer.SerializeToUtf8Bytes(
            new AttachmentManifest(attachment.Hash, attachment.Name, attachment.Size, attachment.AddedAt.ToUnixTimeMilliseconds()), AttachmentFileJson.Default.AttachmentManifest);
        var sealedManifest = new byte[4 + manifest.Length + TagBytes];
        BinaryPrimitives.WriteInt32BigEndian(sealedManifest, manifest.Length);
        Aead.Encrypt(key.Key, Nonce(header, 0, last: false), header, manifest, sealedManifest.AsSpan(4));
        await output.WriteAsync(sealedManifest, cancellationToken);

        var parts = PartsOf(attachment.Size);
        var plain = new byte[PartBytes];
        var sealedPart = new byte[PartBytes + TagBytes];
        for (long part = 1; part <= parts; part++)
        {
            var length = (int)Math.Min(PartBytes, attachment.Size - ((part - 1) * PartBytes));
            await content.ReadExactlyAsync(plain.AsMemory(0, length), cancellationToken);
            Aead.Encrypt(key.Key, Nonce(header, part, last: part == parts), header, plain.AsSpan(0, length), sealedPart.AsSpan(0, length + TagBytes));
            await output.WriteAsync(sealedPart.AsMemory(0, length + TagBytes), cancellationToken);
        }
        if (await content.ReadAsync(plain.AsMemory(0, 1), cancellationToken) != 0)
        {
            throw new InvalidOperationException($"Attachment {attachment.Hash} holds more than the {attachment.Size} bytes it was recorded with.");
        }
    }

    /// <summary>
    /// Verifies a sealed attachment's header and manifest, and that its length is what its size
    /// says, before any of its content is read: every way it can be wrong ends in a
    /// <see cref="ChangeFileRejectedException"/> with a reason. Its content is then read through
    /// <see cref="OpenedAttachment.Content"/>, each part verified before its bytes are given out.
    /// </summary>
    public static OpenedAttachment Open(SyncKeyring keyring, SafeFileHandle file, AttachmentFileName name, long maxBytes)
    {
        var length = RandomAccess.GetLength(file);
        var header = new byte[HeaderBytes];
        var headerRead = RandomAccess.Read(file, header, 0);
        if (headerRead < Magic.Length || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new ChangeFileRejectedException(RejectionReason.NotAChangeFile, "It does not start with the Hermit Sync attachment magic bytes.");
        }
        if (headerRead < HeaderBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.Truncated, $"{length} bytes is too short to hold an attachment's header.");
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(8));
        if (version is not (CheckValueVersion or FormatVersion))
        {
            throw new ChangeFileRejectedException(RejectionReason.UnknownVersion, $"Attachment format version {version}; this build reads versions {CheckValueVersion} and {FormatVersion}.");
        }
        var siteId = Convert.ToHexStringLower(header.AsSpan(10, 16));
        var storedName = Convert.ToHexStringLower(header.AsSpan(NameOffset, 32));
        if (siteId != name.SiteId || storedName != name.Name)
        {
            throw new ChangeFileRejectedException(RejectionReason.Replayed, $"Its header says attachment {storedName[..16]}… of site {siteId}, but it is stored as {name.RelativePath}.");
        }
        if (!header.AsSpan(26, SyncKeyring.SaltBytes).SequenceEqual(SyncKeyring.SaltFor(siteId)))
        {
            throw new ChangeFileRejectedException(RejectionReason.WrongKey, "Its salt is not the one its site's id gives: it was altered or forged.");
        }
        if (BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(PartBytesOffset)) != PartBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"Its parts are not of {PartBytes} bytes.");
        }
        var (epoch, key) = version == FormatVersion ? KeyOf(keyring, siteId, header) : KeyByCheck(keyring, siteId, header);

        var lengthPrefix = new byte[4];
        if (RandomAccess.Read(file, lengthPrefix, HeaderBytes) < 4)
        {
            throw new ChangeFileRejectedException(RejectionReason.Truncated, $"{length} bytes ends before its manifest.");
        }
        var manifestBytes = BinaryPrimitives.ReadInt32BigEndian(lengthPrefix);
        if (manifestBytes is < 2 or > MaxManifestBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"A manifest of {manifestBytes} bytes; at most {MaxManifestBytes} are allowed.");
        }
        var sealedManifest = new byte[manifestBytes + TagBytes];
        if (RandomAccess.Read(file, sealedManifest, HeaderBytes + 4) < sealedManifest.Length)
        {
            throw new ChangeFileRejectedException(RejectionReason.Truncated, $"{length} bytes ends inside its manifest.");
        }
        var plainManifest = new byte[manifestBytes];
        if (!Aead.Decrypt(key.Key, Nonce(header, 0, last: false), header, sealedManifest, plainManifest))
        {
            throw new ChangeFileRejectedException(RejectionReason.AuthenticationFailed, "Its manifest failed authentication: the file was altered.");
        }
        keyring.Verified(siteId, epoch);

        var manifest = ReadManifest(plainManifest);
        if (AttachmentFileName.NameOf(keyring, epoch, manifest.Hash) != name.Name)
        {
            throw new ChangeFileRejectedException(RejectionReason.Replayed, $"Its name is not the one its content's hash gives: it holds attachment {manifest.Hash[..16]}… under another's name.");
        }
        if (manifest.Size > maxBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.TooLarge, $"An attachment of {manifest.Size} bytes; this site takes at most {maxBytes} (HermitSync:Attachments:MaxBytes).");
        }
        var contentStart = HeaderBytes + 4L + sealedManifest.Length;
        var expected = contentStart + manifest.Size + (PartsOf(manifest.Size) * TagBytes);
        if (length < expected)
        {
            throw new ChangeFileRejectedException(RejectionReason.Truncated, $"{length} bytes, where an attachment of {manifest.Size} bytes takes {expected}: it was cut short.");
        }
        if (length > expected)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"{length} bytes, where an attachment of {manifest.Size} bytes takes {expected}: something follows its last part.");
        }
        return new OpenedAttachment(siteId, manifest, new PartReader(file, key.Key, header, contentStart, manifest.Size));
    }

    /// <summary>
    /// A file of version 2 names its key epoch. One this site does not hold waits, unread: for the
    /// passphrase, when a card or change file its site signed has said it writes under that epoch;
    /// otherwise for that word, which Syncthing may bring after the attachment. Unsigned itself,
    /// it is never what makes the Sync page ask for a passphrase.
    /// </summary>
    private static (PassphraseEpoch, SyncKeyring.DerivedKey) KeyOf(SyncKeyring keyring, string siteId, byte[] header)
    {
        var tag = Convert.ToHexStringLower(header.AsSpan(KeyOffset, SyncPassphrases.TagBytes));
        var epoch = keyring.Passphrases.Find(tag)
            ?? throw (keyring.Passphrases.NeededBy.TryGetValue(tag, out var sites) && sites.Contains(siteId)
                ? ChangeFileDeferredException.AwaitingPassphrase(siteId)
                : ChangeFileDeferredException.UnannouncedEpoch(siteId, tag));
        var key = keyring.ForPeer(siteId, epoch, out var retryAfter) ?? throw new ChangeFileDeferredException(siteId, retryAfter);
        return (epoch, key);
    }

    /// <summary>A file of version 1 carries a check value of its key: the held epoch whose key matches opens it.</summary>
    private static (PassphraseEpoch, SyncKeyring.DerivedKey) KeyByCheck(SyncKeyring keyring, string siteId, byte[] header) =>
        keyring.ForPeerByCheck(siteId, header.AsSpan(KeyOffset, SyncKeyring.CheckBytes), out var retryAfter)
            ?? throw (retryAfter > TimeSpan.Zero ? new ChangeFileDeferredException(siteId, retryAfter)
                : keyring.Passphrases.NeededBy.Count > 0 ? ChangeFileDeferredException.AwaitingPassphrase(siteId)
                : new ChangeFileRejectedException(RejectionReason.WrongKey, "It was sealed under a sync passphrase this site does not hold, or its salt was altered."));

    private static AttachmentManifest ReadManifest(byte[] plain)
    {
        AttachmentManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(plain, AttachmentFileJson.Default.AttachmentManifest);
        }
        catch (JsonException e)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"Its manifest is not valid: {e.Message}");
        }
        return manifest is { Size: >= 0, Name: { Length: > 0 and <= 255 } name } && AttachmentLinks.IsHash(manifest.Hash) && !name.Any(char.IsControl) && !name.Contains('/')
            ? manifest
            : throw new ChangeFileRejectedException(RejectionReason.Malformed, "Its manifest lacks a SHA-256, a size or a file name, or holds one that cannot be.");
    }

    private static long PartsOf(long size) => Math.Max(1, (size + PartBytes - 1) / PartBytes);

    /// <summary>The file's random prefix, the part's number (the manifest is part 0) and whether it is the last.</summary>
    private static byte[] Nonce(ReadOnlySpan<byte> header, long part, bool last)
    {
        var nonce = new byte[Aead.NonceSize];
        header.Slice(NoncePrefixOffset, NoncePrefixBytes).CopyTo(nonce);
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(NoncePrefixBytes), part << 8 | (last ? 1L : 0L));
        return nonce;
    }

    /// <summary>The content, read a part at a time: each part is verified before any of its bytes are given out.</summary>
    private sealed class PartReader(SafeFileHandle file, Key key, byte[] header, long start, long size) : Stream
    {
        private readonly long _parts = PartsOf(size);
        private readonly byte[] _sealed = new byte[PartBytes + TagBytes];
        private readonly byte[] _plain = new byte[PartBytes];
        private long _part;
        private int _offset;
        private int _length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_offset == _length)
            {
                if (_part == _parts)
                {
                    return 0;
                }
                _part++;
                _length = (int)Math.Min(PartBytes, size - ((_part - 1) * PartBytes));
                var sealedLength = _length + TagBytes;
                var position = start + ((_part - 1) * (PartBytes + TagBytes));
                if (RandomAccess.Read(file, _sealed.AsSpan(0, sealedLength), position) < sealedLength)
                {
                    throw new ChangeFileRejectedException(RejectionReason.Truncated, $"It ended inside part {_part} of {_parts} while it was read.");
                }
                if (!Aead.Decrypt(key, Nonce(header, _part, last: _part == _parts), header, _sealed.AsSpan(0, sealedLength), _plain.AsSpan(0, _length)))
                {
                    throw new ChangeFileRejectedException(RejectionReason.AuthenticationFailed, $"Part {_part} of {_parts} failed authentication: the file was altered.");
                }
                _offset = 0;
            }
            var n = Math.Min(buffer.Length, _length - _offset);
            _plain.AsSpan(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => size;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

[JsonSerializable(typeof(AttachmentManifest))]
internal sealed partial class AttachmentFileJson : JsonSerializerContext;
