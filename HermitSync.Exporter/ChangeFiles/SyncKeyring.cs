using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// Keys derived from the sync passphrase with Argon2id. Each site writes with its own salt
/// (derived from its site id, so nothing extra is stored), and readers derive a key once per
/// salt they meet. Beside the AEAD key, the derivation yields a short check value, so a file
/// written under another passphrase is told apart from a tampered one.
/// </summary>
public sealed class SyncKeyring
{
    public const int SaltBytes = 16;
    public const int CheckBytes = 8;
    private const int MaxCachedSalts = 64;

    /// <summary>The cost every site must use for format version 1: 64 MiB, 3 passes.</summary>
    public static readonly Argon2Parameters FormatV1Cost = new() { DegreeOfParallelism = 1, MemorySize = 64 * 1024, NumberOfPasses = 3 };

    private readonly byte[] _passphrase;
    private readonly PasswordBasedKeyDerivationAlgorithm _argon2;
    private readonly ConcurrentDictionary<string, DerivedKey> _keys = new();

    public SyncKeyring(string passphrase) : this(passphrase, FormatV1Cost)
    {
    }

    /// <summary>Tests use a cheaper cost so thousands of files can be checked quickly; the code path is the same.</summary>
    internal SyncKeyring(string passphrase, Argon2Parameters cost)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new ArgumentException("The sync passphrase must not be empty.", nameof(passphrase));
        }
        _passphrase = Encoding.UTF8.GetBytes(passphrase);
        _argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(cost);
    }

    public static byte[] SaltFor(string siteId) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"hermit-sync/v1/salt/{siteId}"))[..SaltBytes];

    internal DerivedKey ForSalt(ReadOnlySpan<byte> salt)
    {
        var cacheKey = Convert.ToHexString(salt);
        if (_keys.TryGetValue(cacheKey, out var key))
        {
            return key;
        }
        if (_keys.Count >= MaxCachedSalts)
        {
            _keys.Clear();
        }
        var material = _argon2.DeriveBytes(_passphrase, salt, 32 + CheckBytes);
        var derived = new DerivedKey(
            Key.Import(AeadAlgorithm.XChaCha20Poly1305, material.AsSpan(0, 32), KeyBlobFormat.RawSymmetricKey),
            material.AsSpan(32, CheckBytes).ToArray());
        CryptographicOperations.ZeroMemory(material);
        return _keys.GetOrAdd(cacheKey, derived);
    }

    internal sealed record DerivedKey(Key Key, byte[] Check);
}
