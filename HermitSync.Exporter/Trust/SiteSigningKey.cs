using System.Security.Cryptography;
using NSec.Cryptography;

namespace HermitSync.Exporter.Trust;

/// <summary>
/// This site's identity: an Ed25519 key made at its first start and kept owner-only in the
/// site's data directory. It signs every change file and snapshot the site writes, and the card
/// that tells peers which key is the site's. The passphrase lets a peer read; only this key lets
/// one write as this site.
/// </summary>
public sealed class SiteSigningKey : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private const string FileName = "signing.key";

    private readonly Key _key;

    private SiteSigningKey(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    /// <summary>The raw 32-byte public key, as cards carry it.</summary>
    public byte[] PublicKey { get; }

    public string Fingerprint => SiteFingerprint.Of(PublicKey);

    public const int SignatureBytes = 64;

    /// <summary>
    /// The key in <paramref name="folder"/>, made there (owner-only, written whole before it is
    /// named) when there is none. A key file that is not one is an error, never replaced: peers
    /// have pinned the key it held.
    /// </summary>
    public static SiteSigningKey LoadOrCreate(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (File.Exists(path))
        {
            var raw = File.ReadAllBytes(path);
            try
            {
                return new SiteSigningKey(Key.Import(Ed25519, raw, KeyBlobFormat.RawPrivateKey, Exportable()));
            }
            catch (FormatException e)
            {
                throw new InvalidDataException($"{path} is not an Ed25519 private key; peers know this site by the key it held, so it is not replaced.", e);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(raw);
            }
        }
        var key = Create();
        var blob = key._key.Export(KeyBlobFormat.RawPrivateKey);
        try
        {
            OwnerOnlyFile.Write(path, blob, replace: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blob);
        }
        return key;
    }

    /// <summary>A key held in memory only: for tests, and for writing what a hostile peer would.</summary>
    public static SiteSigningKey Create() => new(Key.Create(Ed25519, Exportable()));

    public byte[] Sign(ReadOnlySpan<byte> data) => Ed25519.Sign(_key, data);

    /// <summary>Whether <paramref name="signature"/> is <paramref name="publicKey"/>'s over <paramref name="data"/>; false for anything that is not a key.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureBytes
        && NSec.Cryptography.PublicKey.TryImport(Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key)
        && Ed25519.Verify(key!, data, signature);

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    public void Dispose() => _key.Dispose();
}

/// <summary>
/// A short, readable form of a site's public key, shown on both machines' Sync pages so a person
/// can compare them as they compare Syncthing's device IDs: 100 bits of its SHA-256, in base32.
/// </summary>
public static class SiteFingerprint
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Of(ReadOnlySpan<byte> publicKey)
    {
        var hash = SHA256.HashData(publicKey);
        var characters = new char[20];
        for (var i = 0; i < characters.Length; i++)
        {
            // Five bits at a time, from the start of the hash.
            var bit = i * 5;
            var pair = (hash[bit / 8] << 8) | hash[bit / 8 + 1];
            characters[i] = Alphabet[(pair >> (11 - bit % 8)) & 31];
        }
        return string.Join('-', Enumerable.Range(0, 4).Select(group => new string(characters, group * 5, 5)));
    }
}
