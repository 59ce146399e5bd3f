using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using NSec.Cryptography;

namespace HermitSync.Exporter.Passphrase;

/// <summary>A passphrase this site holds, and the epoch tag its files are marked with.</summary>
public sealed record PassphraseEpoch(string Tag, string Passphrase);

/// <summary>Why a passphrase was not taken: the form field it concerns, and what to do.</summary>
public sealed record PassphraseProblem(string Field, string Message);

/// <summary>
/// The sync passphrases this site holds, one per key epoch, kept owner-only beside its signing
/// key. Each epoch is named by a tag derived from its passphrase with Argon2id (the same cost as
/// the keys), so a site told a passphrase knows at once which files it opens, and nothing else
/// needs agreeing on. The site writes under the last epoch of its <see cref="History"/>:
/// <list type="bullet">
/// <item>the first passphrase it is given, created here or joined with;</item>
/// <item>a new one it changes to, which needs the current one;</item>
/// <item>or one it holds that a trusted site moved to from this site's (<see cref="Observe"/>).</item>
/// </list>
/// Old epochs are kept, so files sealed under them stay readable until snapshots retire them.
/// </summary>
public sealed class SyncPassphrases
{
    private const string FileName = "passphrases.json";

    /// <summary>Epochs named in a card or a file, kept to a sane number.</summary>
    public const int MaxEpochs = 64;

    public const int TagBytes = 8;

    /// <summary>What zxcvbn must estimate a passphrase at: 2^80 guesses are out of reach even at Argon2's cheapest.</summary>
    public const double MinBits = 80;

    private readonly string? _path;
    private readonly Argon2Parameters _cost;
    private readonly Lock _gate = new();
    private readonly List<PassphraseEpoch> _epochs;
    private readonly List<string> _history;
    private readonly Dictionary<string, SortedSet<string>> _needed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _histories = new(StringComparer.Ordinal);

    private SyncPassphrases(string? path, Argon2Parameters cost, List<PassphraseEpoch> epochs, List<string> history)
    {
        _path = path;
        _cost = cost;
        _epochs = epochs;
        _history = history;
    }

    /// <summary>Raised after any change, outside the lock: the write epoch may have moved.</summary>
    public event Action? Changed;

    /// <summary>The passphrases kept in <paramref name="folder"/>; none until the Sync page sets one.</summary>
    public static SyncPassphrases Load(string folder) => Load(folder, SyncKeyring.FormatV1Cost);

    internal static SyncPassphrases Load(string folder, Argon2Parameters cost)
    {
        var path = Path.Combine(folder, FileName);
        var stored = File.Exists(path)
            ? JsonSerializer.Deserialize(File.ReadAllBytes(path), PassphrasesJson.Default.StoredPassphrases)
                ?? throw new InvalidDataException($"{path} holds no passphrases.")
            : new StoredPassphrases([], []);
        if (stored.History.Any(tag => stored.Epochs.All(e => e.Tag != tag)))
        {
            throw new InvalidDataException($"{path} writes under an epoch it holds no passphrase for.");
        }
        return new SyncPassphrases(path, cost, [.. stored.Epochs], [.. stored.History]);
    }

    /// <summary>Passphrases held in memory alone, the last one written under: for tests and benchmarks.</summary>
    public static SyncPassphrases InMemory(params string[] passphrases) => InMemory(SyncKeyring.FormatV1Cost, passphrases);

    internal static SyncPassphrases InMemory(Argon2Parameters cost, params string[] passphrases)
    {
        var held = new SyncPassphrases(null, cost, [], []);
        foreach (var passphrase in passphrases)
        {
            var epoch = held.EpochOf(passphrase);
            held._epochs.Add(epoch);
            held._history.Add(epoch.Tag);
        }
        return held;
    }

    public bool IsSet
    {
        get
        {
            lock (_gate)
            {
                return _history.Count > 0;
            }
        }
    }

    /// <summary>The epoch this site seals its files under; null until a passphrase is set.</summary>
    public PassphraseEpoch? Writing
    {
        get
        {
            lock (_gate)
            {
                return _history.Count == 0 ? null : _epochs.First(e => e.Tag == _history[^1]);
            }
        }
    }

    /// <summary>Every epoch held, the one written under first, so it is tried first.</summary>
    public IReadOnlyList<PassphraseEpoch> Epochs
    {
        get
        {
            lock (_gate)
            {
                var writing = _history.Count == 0 ? null : _history[^1];
                return [.. _epochs.OrderBy(e => e.Tag == writing ? 0 : 1)];
            }
        }
    }

    /// <summary>The epochs this site has written under, oldest first: published on its card, so peers can follow a change.</summary>
    public IReadOnlyList<string> History
    {
        get
        {
            lock (_gate)
            {
                return [.. _history];
            }
        }
    }

    public PassphraseEpoch? Find(string tag)
    {
        lock (_gate)
        {
            return _epochs.FirstOrDefault(e => e.Tag == tag);
        }
    }

    /// <summary>The epoch tag of a passphrase: Argon2id of it under a salt of its own, at the keys' cost.</summary>
    private static string TagOf(string passphrase, Argon2Parameters cost) =>
        Convert.ToHexStringLower(PasswordBasedKeyDerivationAlgorithm.Argon2id(cost)
            .DeriveBytes(Encoding.UTF8.GetBytes(passphrase), SHA256.HashData("hermit-sync/v5/epoch-tag"u8)[..SyncKeyring.SaltBytes], TagBytes));

    public static bool IsTag(string? text) => text is { Length: TagBytes * 2 } && text.All(char.IsAsciiHexDigitLower);

    /// <summary>The first passphrase: created on this machine, or the one the other machines use.</summary>
    public PassphraseProblem? Set(string? passphrase, string? confirmation)
    {
        if (Check(passphrase, confirmation) is { } problem)
        {
            return problem;
        }
        return WriteUnder(passphrase!, _ => _history.Count > 0
            ? new PassphraseProblem(nameof(PassphraseRequest.Current), "This site has a passphrase already: give it to change to another.")
            : null);
    }

    /// <summary>A new epoch: the site writes under <paramref name="next"/> from now on, and keeps reading files under the old ones.</summary>
    public PassphraseProblem? Change(string? current, string? next, string? confirmation)
    {
        var writing = Writing;
        if (writing is null)
        {
            return new PassphraseProblem(nameof(PassphraseRequest.Current), "This site has no passphrase yet: create one, or join with your other machine's.");
        }
        if (current is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(current), Encoding.UTF8.GetBytes(writing.Passphrase)))
        {
            return new PassphraseProblem(nameof(PassphraseRequest.Current), "That is not the current passphrase.");
        }
        if (Check(next, confirmation) is { } problem)
        {
            return problem;
        }
        return WriteUnder(next!, epoch => _epochs.Any(e => e.Tag == epoch.Tag)
            ? new PassphraseProblem(nameof(PassphraseRequest.Passphrase), "This site has used that passphrase before: choose a new one.")
            : null);
    }

    /// <summary>Writes under <paramref name="passphrase"/>'s epoch from now on, unless <paramref name="refusal"/>, asked under the lock, says why not.</summary>
    private PassphraseProblem? WriteUnder(string passphrase, Func<PassphraseEpoch, PassphraseProblem?> refusal)
    {
        var epoch = EpochOf(passphrase);
        lock (_gate)
        {
            if (refusal(epoch) is { } problem)
            {
                return problem;
            }
            _epochs.Add(epoch);
            _history.Add(epoch.Tag);
            Save();
        }
        Changed?.Invoke();
        return null;
    }

    /// <summary>A trusted site writes under <paramref name="tag"/>: if this site does not hold it, the Sync page asks for it.</summary>
    public void Need(string site, string tag)
    {
        lock (_gate)
        {
            NeedLocked(site, tag);
        }
    }

    private void NeedLocked(string site, string tag)
    {
        if (_needed.Count < MaxEpochs || _needed.ContainsKey(tag))
        {
            (_needed.TryGetValue(tag, out var sites) ? sites : _needed[tag] = new SortedSet<string>(StringComparer.Ordinal)).Add(site);
        }
    }

    /// <summary>The epochs trusted sites write under that this site does not hold, and those sites: "needs the new passphrase".</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> NeededBy
    {
        get
        {
            lock (_gate)
            {
                return _needed.Where(n => _epochs.All(e => e.Tag != n.Key)).ToDictionary(n => n.Key, n => (IReadOnlyList<string>)[.. n.Value], StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// A passphrase another site changed to, given to this one: taken only when a trusted site
    /// writes under it (<see cref="NeededBy"/>), so it cannot stand in for a change without
    /// the current passphrase. The site moves to it if a peer moved to it from this site's.
    /// </summary>
    public PassphraseProblem? Add(string? passphrase)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            return new PassphraseProblem(nameof(PassphraseRequest.Passphrase), "Give the passphrase.");
        }
        var epoch = EpochOf(passphrase);
        lock (_gate)
        {
            if (_epochs.Any(e => e.Tag == epoch.Tag))
            {
                return new PassphraseProblem(nameof(PassphraseRequest.Passphrase), "This site holds that passphrase already.");
            }
            if (!_needed.ContainsKey(epoch.Tag))
            {
                return new PassphraseProblem(nameof(PassphraseRequest.Passphrase),
                    "No paired site writes under that passphrase. To change to a new passphrase, give the current one too.");
            }
            _epochs.Add(epoch);
            FollowLocked();
            Save();
        }
        Changed?.Invoke();
        return null;
    }

    /// <summary>
    /// What a trusted site's card says it has written under, oldest first. Its newest epoch is
    /// needed if not held here; and when it moved on from the epoch this site writes under to
    /// one this site holds, this site follows. True when this site's write epoch moved.
    /// </summary>
    public bool Observe(string site, IReadOnlyList<string> history)
    {
        bool moved;
        lock (_gate)
        {
            _histories[site] = [.. history.TakeLast(MaxEpochs)];
            if (history.Count > 0)
            {
                NeedLocked(site, history[^1]);
            }
            moved = FollowLocked();
        }
        if (moved)
        {
            Changed?.Invoke();
        }
        return moved;
    }

    /// <summary>Moves the write epoch along the peers' histories as far as the epochs held allow; the caller holds the lock.</summary>
    private bool FollowLocked()
    {
        var moved = false;
        for (var step = 0; step < MaxEpochs && _history.Count > 0; step++)
        {
            var current = _history[^1];
            var next = _histories.Values
                .Select(h => (History: h, From: LastIndexOf(h, current)))
                .Where(h => h.From >= 0)
                .Select(h => h.History.Skip(h.From + 1).LastOrDefault(tag => _epochs.Any(e => e.Tag == tag)))
                .FirstOrDefault(tag => tag is not null);
            if (next is null)
            {
                break;
            }
            _history.Add(next);
            moved = true;
        }
        if (moved)
        {
            Save();
        }
        return moved;
    }

    private static int LastIndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i] == item)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A passphrase is at least 80 bits as zxcvbn estimates it, and confirmed when a confirmation is asked for.</summary>
    public static PassphraseProblem? Check(string? passphrase, string? confirmation)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            return new PassphraseProblem(nameof(PassphraseRequest.Passphrase), "Give a passphrase.");
        }
        if (confirmation is not null && confirmation != passphrase)
        {
            return new PassphraseProblem(nameof(PassphraseRequest.Confirmation), "The confirmation does not match the passphrase.");
        }
        var bits = StrengthOf(passphrase);
        return bits < MinBits
            ? new PassphraseProblem(nameof(PassphraseRequest.Passphrase),
                $"That passphrase is too weak: about {bits:0} bits, and at least {MinBits:0} are needed. Use the one generated for you, or add more unrelated words.")
            : null;
    }

    /// <summary>zxcvbn's estimate in bits: dictionary words, keyboard walks, dates and repeats count for little.</summary>
    public static double StrengthOf(string passphrase) => Zxcvbn.Zxcvbn.MatchPassword(passphrase).Entropy;

    /// <summary>A new passphrase: 24 base32 characters (120 bits) in six groups, to be read and typed on the other machines.</summary>
    public static string Generate()
    {
        var letters = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 24);
        return string.Join('-', letters.Chunk(4).Select(group => new string(group)));
    }

    private PassphraseEpoch EpochOf(string passphrase) => new(TagOf(passphrase, _cost), passphrase);

    private void Save()
    {
        if (_path is not null)
        {
            OwnerOnlyFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(new StoredPassphrases([.. _epochs], [.. _history]), PassphrasesJson.Default.StoredPassphrases), replace: true);
        }
    }
}

/// <summary>Set, change or add a passphrase: <see cref="Current"/> only to change, <see cref="Confirmation"/> when the form asks for one.</summary>
public sealed record PassphraseRequest(string? Passphrase, string? Confirmation = null, string? Current = null);

internal sealed record StoredPassphrases(IReadOnlyList<PassphraseEpoch> Epochs, IReadOnlyList<string> History);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(StoredPassphrases))]
internal sealed partial class PassphrasesJson : JsonSerializerContext;
