using System.Security.Cryptography;
using System.Text;
using HermitSync.Exporter.Sync;
using NSec.Cryptography;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// Keys derived from the sync passphrase with Argon2id. Each site writes with its own salt
/// (derived from its site id, so nothing extra is stored), and readers derive a key once per
/// site they meet. Beside the AEAD key, the derivation yields a short check value, so a file
/// written under another passphrase is told apart from a tampered one.
/// </summary>
/// <remarks>
/// A derivation costs 64 MiB and about 100 ms, and anyone who can drop a file into the folder
/// can name a new site. So the keys of sites whose files have verified are kept apart from the
/// others and never pushed out by them, and derivations for sites not seen before are
/// rate-limited: a flood of new site ids waits its turn instead of starving the real peers.
/// </remarks>
public sealed class SyncKeyring
{
    public const int SaltBytes = 16;
    public const int CheckBytes = 8;

    /// <summary>The cost every site must use for format version 1: 64 MiB, 3 passes.</summary>
    public static readonly Argon2Parameters FormatV1Cost = new() { DegreeOfParallelism = 1, MemorySize = 64 * 1024, NumberOfPasses = 3 };

    private readonly byte[] _passphrase;
    private readonly PasswordBasedKeyDerivationAlgorithm _argon2;
    private readonly KeyringOptions _options;
    private readonly TokenBucket _newSites;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DerivedKey> _verified = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedListNode<(string Site, DerivedKey Key)>> _unverified = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Site, DerivedKey Key)> _unverifiedByUse = new();

    public SyncKeyring(string passphrase, KeyringOptions? options = null, TimeProvider? time = null) : this(passphrase, FormatV1Cost, options, time)
    {
    }

    /// <summary>Tests use a cheaper cost so thousands of files can be checked quickly; the code path is the same.</summary>
    internal SyncKeyring(string passphrase, Argon2Parameters cost, KeyringOptions? options = null, TimeProvider? time = null)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new ArgumentException("The sync passphrase must not be empty.", nameof(passphrase));
        }
        _passphrase = Encoding.UTF8.GetBytes(passphrase);
        _argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(cost);
        _options = options ?? new KeyringOptions();
        _newSites = new TokenBucket(_options.NewSiteBurst, _options.NewSitesPerMinute, time ?? TimeProvider.System);
        _attachmentNameKey = new(() => _argon2.DeriveBytes(_passphrase, SHA256.HashData("hermit-sync/v1/attachment-names"u8)[..SaltBytes], 32));
    }

    /// <summary>
    /// The key attachments' file names are made with: every site's the same (it depends on the
    /// passphrase alone), so a file of any site holding content this site has is known by its name.
    /// </summary>
    internal byte[] AttachmentNameKey => _attachmentNameKey.Value;

    private readonly Lazy<byte[]> _attachmentNameKey;

    public static byte[] SaltFor(string siteId) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"hermit-sync/v1/salt/{siteId}"))[..SaltBytes];

    /// <summary>The key a site writes its own files with; it is this site's, so never rate-limited.</summary>
    internal DerivedKey ForOwnSite(string siteId)
    {
        lock (_gate)
        {
            if (_verified.TryGetValue(siteId, out var key))
            {
                return key;
            }
        }
        var derived = Derive(siteId);
        lock (_gate)
        {
            return _verified.TryAdd(siteId, derived) ? derived : _verified[siteId];
        }
    }

    /// <summary>
    /// The key of another site, or null when deriving one now would exceed the rate for sites
    /// not seen before; <paramref name="retryAfter"/> then says when a derivation is allowed again.
    /// </summary>
    internal DerivedKey? ForPeer(string siteId, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        lock (_gate)
        {
            if (_verified.TryGetValue(siteId, out var known))
            {
                return known;
            }
            if (_unverified.TryGetValue(siteId, out var node))
            {
                _unverifiedByUse.Remove(node);
                _unverifiedByUse.AddFirst(node);
                return node.Value.Key;
            }
            if (!_newSites.TryTake(out retryAfter))
            {
                return null;
            }
        }
        var derived = Derive(siteId);
        lock (_gate)
        {
            if (!_unverified.ContainsKey(siteId) && !_verified.ContainsKey(siteId))
            {
                _unverified[siteId] = _unverifiedByUse.AddFirst((siteId, derived));
                while (_unverified.Count > _options.UnverifiedKeys)
                {
                    _unverified.Remove(_unverifiedByUse.Last!.Value.Site);
                    _unverifiedByUse.RemoveLast();
                }
            }
            return derived;
        }
    }

    /// <summary>A file of this site verified under its key: keep the key among the protected ones.</summary>
    internal void Verified(string siteId)
    {
        lock (_gate)
        {
            if (_unverified.Remove(siteId, out var node))
            {
                _unverifiedByUse.Remove(node);
                if (_verified.Count < _options.VerifiedKeys)
                {
                    _verified[siteId] = node.Value.Key;
                }
            }
        }
    }

    private DerivedKey Derive(string siteId)
    {
        var material = _argon2.DeriveBytes(_passphrase, SaltFor(siteId), 32 + CheckBytes);
        var derived = new DerivedKey(
            Key.Import(AeadAlgorithm.XChaCha20Poly1305, material.AsSpan(0, 32), KeyBlobFormat.RawSymmetricKey),
            material.AsSpan(32, CheckBytes).ToArray());
        CryptographicOperations.ZeroMemory(material);
        return derived;
    }

    internal sealed record DerivedKey(Key Key, byte[] Check);
}

/// <summary>How many keys the keyring keeps and how fast it derives keys for sites it has not seen.</summary>
public sealed class KeyringOptions
{
    /// <summary>Keys of sites whose files verified: one per real peer, so far more than anyone pairs with.</summary>
    public int VerifiedKeys { get; set; } = 1024;

    /// <summary>Keys derived for sites none of whose files has verified yet.</summary>
    public int UnverifiedKeys { get; set; } = 16;

    /// <summary>Derivations for new sites per minute once the burst is spent: a few percent of one core.</summary>
    public double NewSitesPerMinute { get; set; } = 6;

    /// <summary>New sites whose keys may be derived at once, e.g. when several peers are paired together.</summary>
    public int NewSiteBurst { get; set; } = 4;
}
