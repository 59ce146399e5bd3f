using System.Security.Cryptography;
using System.Text;
using HermitSync.Exporter.Passphrase;
using HermitSync.Exporter.Sync;
using NSec.Cryptography;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// Keys derived from the sync passphrases with Argon2id. Each site writes with its own salt
/// (derived from its site id, so nothing extra is stored), and readers derive a key once per
/// site and key epoch they meet. Beside the AEAD key, the derivation yields a short check
/// value, which files of format 4 and before and attachments carry to say which passphrase
/// sealed them; files of format 5 name their epoch instead (<see cref="SyncPassphrases"/>).
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

    private readonly PasswordBasedKeyDerivationAlgorithm _argon2;
    private readonly KeyringOptions _options;
    private readonly TokenBucket _newSites;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Site, string Tag), DerivedKey> _verified = [];
    private readonly Dictionary<(string Site, string Tag), LinkedListNode<((string Site, string Tag) Id, DerivedKey Key)>> _unverified = [];
    private readonly LinkedList<((string Site, string Tag) Id, DerivedKey Key)> _unverifiedByUse = new();
    private readonly Dictionary<string, byte[]> _attachmentNameKeys = new(StringComparer.Ordinal);

    public SyncKeyring(SyncPassphrases passphrases, KeyringOptions? options = null, TimeProvider? time = null) : this(passphrases, FormatV1Cost, options, time)
    {
    }

    /// <summary>A keyring of one passphrase, held in memory: for tests and benchmarks that seal files as a site would.</summary>
    public SyncKeyring(string passphrase, KeyringOptions? options = null, TimeProvider? time = null) : this(SyncPassphrases.InMemory(passphrase), options, time)
    {
    }

    /// <summary>Tests use a cheaper cost so thousands of files can be checked quickly; the code path is the same.</summary>
    internal SyncKeyring(string passphrase, Argon2Parameters cost, KeyringOptions? options = null, TimeProvider? time = null)
        : this(SyncPassphrases.InMemory(cost, passphrase), cost, options, time)
    {
    }

    internal SyncKeyring(SyncPassphrases passphrases, Argon2Parameters cost, KeyringOptions? options = null, TimeProvider? time = null)
    {
        Passphrases = passphrases;
        _argon2 = PasswordBasedKeyDerivationAlgorithm.Argon2id(cost);
        _options = options ?? new KeyringOptions();
        _newSites = new TokenBucket(_options.NewSiteBurst, _options.NewSitesPerMinute, time ?? TimeProvider.System);
    }

    public SyncPassphrases Passphrases { get; }

    /// <summary>The epoch this site writes under; a <see cref="PassphraseMissingException"/> until a passphrase is set.</summary>
    internal PassphraseEpoch Writing => Passphrases.Writing ?? throw new PassphraseMissingException();

    /// <summary>
    /// The key attachments' file names are made with under <paramref name="epoch"/>: every site's
    /// the same (it depends on the passphrase alone), so a file of any site holding content this
    /// site has is known by its name.
    /// </summary>
    internal byte[] AttachmentNameKey(PassphraseEpoch epoch)
    {
        lock (_gate)
        {
            if (_attachmentNameKeys.TryGetValue(epoch.Tag, out var known))
            {
                return known;
            }
        }
        var derived = _argon2.DeriveBytes(Encoding.UTF8.GetBytes(epoch.Passphrase), SHA256.HashData("hermit-sync/v1/attachment-names"u8)[..SaltBytes], 32);
        lock (_gate)
        {
            return _attachmentNameKeys.TryAdd(epoch.Tag, derived) ? derived : _attachmentNameKeys[epoch.Tag];
        }
    }

    public static byte[] SaltFor(string siteId) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"hermit-sync/v1/salt/{siteId}"))[..SaltBytes];

    /// <summary>The key a site writes its own files with, under the epoch it writes under; it is this site's, so never rate-limited.</summary>
    internal (PassphraseEpoch Epoch, DerivedKey Key) ForOwnSite(string siteId)
    {
        var epoch = Writing;
        lock (_gate)
        {
            if (_verified.TryGetValue((siteId, epoch.Tag), out var key))
            {
                return (epoch, key);
            }
        }
        var derived = Derive(siteId, epoch);
        lock (_gate)
        {
            return (epoch, _verified.TryAdd((siteId, epoch.Tag), derived) ? derived : _verified[(siteId, epoch.Tag)]);
        }
    }

    /// <summary>
    /// The key of another site under <paramref name="epoch"/>, or null when deriving one now would
    /// exceed the rate for sites not seen before; <paramref name="retryAfter"/> then says when a
    /// derivation is allowed again.
    /// </summary>
    internal DerivedKey? ForPeer(string siteId, PassphraseEpoch epoch, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var id = (siteId, epoch.Tag);
        lock (_gate)
        {
            if (_verified.TryGetValue(id, out var known))
            {
                return known;
            }
            if (_unverified.TryGetValue(id, out var node))
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
        var derived = Derive(siteId, epoch);
        lock (_gate)
        {
            if (!_unverified.ContainsKey(id) && !_verified.ContainsKey(id))
            {
                _unverified[id] = _unverifiedByUse.AddFirst((id, derived));
                while (_unverified.Count > _options.UnverifiedKeys)
                {
                    _unverified.Remove(_unverifiedByUse.Last!.Value.Id);
                    _unverifiedByUse.RemoveLast();
                }
            }
            return derived;
        }
    }

    /// <summary>
    /// The epoch and key whose check value is <paramref name="check"/>, for files that carry a
    /// check rather than an epoch: each held epoch is tried, the one written under first.
    /// Null when a derivation must wait (<paramref name="retryAfter"/> says how long) or when no
    /// held epoch matches (<paramref name="retryAfter"/> is zero).
    /// </summary>
    internal (PassphraseEpoch Epoch, DerivedKey Key)? ForPeerByCheck(string siteId, ReadOnlySpan<byte> check, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        foreach (var epoch in Passphrases.Epochs)
        {
            var key = ForPeer(siteId, epoch, out retryAfter);
            if (key is null)
            {
                return null;
            }
            if (CryptographicOperations.FixedTimeEquals(key.Check, check))
            {
                return (epoch, key);
            }
        }
        return null;
    }

    /// <summary>A file of this site verified under its key: keep the key among the protected ones.</summary>
    internal void Verified(string siteId, PassphraseEpoch epoch)
    {
        lock (_gate)
        {
            if (_unverified.Remove((siteId, epoch.Tag), out var node))
            {
                _unverifiedByUse.Remove(node);
                if (_verified.Count < _options.VerifiedKeys)
                {
                    _verified[(siteId, epoch.Tag)] = node.Value.Key;
                }
            }
        }
    }

    private DerivedKey Derive(string siteId, PassphraseEpoch epoch)
    {
        var material = _argon2.DeriveBytes(Encoding.UTF8.GetBytes(epoch.Passphrase), SaltFor(siteId), 32 + CheckBytes);
        var derived = new DerivedKey(
            Key.Import(AeadAlgorithm.XChaCha20Poly1305, material.AsSpan(0, 32), KeyBlobFormat.RawSymmetricKey),
            material.AsSpan(32, CheckBytes).ToArray());
        CryptographicOperations.ZeroMemory(material);
        return derived;
    }

    internal sealed record DerivedKey(Key Key, byte[] Check);
}

/// <summary>This site has no sync passphrase yet: nothing is sealed until the Sync page sets one.</summary>
public sealed class PassphraseMissingException() : InvalidOperationException("No sync passphrase is set yet: create one on the Sync page, or join with your other machine's.");

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
