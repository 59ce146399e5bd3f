using System.Text.Json;
using System.Text.Json.Serialization;
using HermitSync.Exporter.ChangeFiles;

namespace HermitSync.Exporter.Trust;

/// <summary>
/// A site's key as this site holds it; <see cref="VouchedBy"/> is null when the site's own device
/// is paired here, and <see cref="RevokedAfter"/> is the last of its files that may apply once it was unpaired.
/// </summary>
public sealed record TrustedSite(string Site, string Device, byte[] Key, long UnsignedThrough, string? VouchedBy, long? RevokedAfter = null)
{
    public string Fingerprint => SiteFingerprint.Of(Key);

    public SiteKeyStatement Statement => new(Site, Device, Key, UnsignedThrough, RevokedAfter);
}

/// <summary>
/// The keys this site accepts files under, one per site, pinned the first time it learns them:
/// <list type="bullet">
/// <item>from a site's own card, when the card names a device paired here: the person who paired
/// them compares the fingerprints on both Sync pages;</item>
/// <item>from the card of a site already trusted, which vouches for the sites it trusts: so with
/// A–B and B–C paired, C learns A's key from B.</item>
/// </list>
/// A pinned key is never replaced by another, except that a site's own card, from a device paired
/// here, replaces a key only vouched for, or one revoked when its machine was unpaired. A card that states another key for a pinned site is
/// ignored, and counted in <see cref="Disputed"/>. Unpairing a device revokes the sites on it:
/// their files after the last applied here are refused, here and wherever this site's vouch was
/// all a site had for them; pairing the device again lifts it. The pins are kept owner-only
/// beside the signing key.
/// </summary>
public sealed class TrustedSites : ISiteKeys
{
    private const string FileName = "trusted-sites.json";

    private readonly string? _path;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, TrustedSite> _sites = new(StringComparer.Ordinal);
    private readonly HashSet<string> _disputed = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _waiting = [];
    private TrustedSite _own;

    private TrustedSites(TrustedSite own, string? path, IEnumerable<TrustedSite> pinned)
    {
        _own = own;
        _path = path;
        foreach (var site in pinned.Where(s => s.Site != own.Site))
        {
            _sites[site.Site] = site;
        }
    }

    /// <summary>
    /// The pins kept in <paramref name="folder"/>, with this site's own key beside them. The first
    /// load records <paramref name="own"/>'s <see cref="SiteKeyStatement.UnsignedThrough"/> for
    /// good: the files this site wrote before it had a key stay the only unsigned ones it owns.
    /// </summary>
    public static TrustedSites Load(string folder, SiteKeyStatement own)
    {
        var path = Path.Combine(folder, FileName);
        var pinned = File.Exists(path)
            ? JsonSerializer.Deserialize(File.ReadAllBytes(path), TrustedSitesJson.Default.TrustedSiteArray) ?? []
            : [];
        var recorded = pinned.FirstOrDefault(s => s.Site == own.Site);
        if (recorded is not null && !recorded.Key.AsSpan().SequenceEqual(own.Key))
        {
            throw new InvalidDataException($"{path} knows this site by another key than its signing key; peers pinned that one, so neither is replaced.");
        }
        var trusted = new TrustedSites(Own(own with { UnsignedThrough = recorded?.UnsignedThrough ?? own.UnsignedThrough }), path, pinned);
        if (recorded is null)
        {
            lock (trusted._gate)
            {
                trusted.Save();
            }
        }
        return trusted;
    }

    /// <summary>Pins held in memory only, for tests and benchmarks.</summary>
    public static TrustedSites InMemory(SiteKeyStatement own, params SiteKeyStatement[] trusted) =>
        new(Own(own), null, trusted.Select(s => new TrustedSite(s.Site, s.Device, s.Key, s.UnsignedThrough, null)));

    private static TrustedSite Own(SiteKeyStatement own) => new(own.Site, own.Device, own.Key, own.UnsignedThrough, null);

    public TrustedKey? KeyOf(string siteId)
    {
        lock (_gate)
        {
            var site = siteId == _own.Site ? _own : _sites.GetValueOrDefault(siteId);
            return site is null ? null : new TrustedKey(site.Key, site.UnsignedThrough, site.RevokedAfter);
        }
    }

    /// <summary>Every site trusted here but this one, by site id.</summary>
    public IReadOnlyList<TrustedSite> Sites
    {
        get
        {
            lock (_gate)
            {
                return _sites.Values.OrderBy(s => s.Site, StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>Sites whose files are in the folder while no key is trusted for them: they wait, unread.</summary>
    public IReadOnlyList<string> Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting;
            }
        }
    }

    /// <summary>What the importer's last look at the whole folder found waiting.</summary>
    public void Found(IEnumerable<string> siteIdsWithFiles)
    {
        lock (_gate)
        {
            _waiting = siteIdsWithFiles.Where(site => site != _own.Site && !_sites.ContainsKey(site)).Distinct().Order(StringComparer.Ordinal).ToArray();
        }
    }

    /// <summary>Sites for which a card stated another key than the one pinned here.</summary>
    public IReadOnlyList<string> Disputed
    {
        get
        {
            lock (_gate)
            {
                return _disputed.Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <summary>The card this site publishes: its own key, and every key it trusts.</summary>
    public SiteCard OwnCard
    {
        get
        {
            lock (_gate)
            {
                return new SiteCard(_own.Statement, _sites.Values.OrderBy(s => s.Site, StringComparer.Ordinal).Select(s => s.Statement).ToArray());
            }
        }
    }

    /// <summary>
    /// Revokes the sites that run on <paramref name="device"/>, just unpaired: files they sign
    /// after the last of theirs applied here (<paramref name="appliedThrough"/>) are refused.
    /// Returns the sites revoked.
    /// </summary>
    public IReadOnlyList<string> Revoke(string device, Func<string, long> appliedThrough)
    {
        lock (_gate)
        {
            var revoked = _sites.Values.Where(s => s.Device == device && s.RevokedAfter is null).ToArray();
            foreach (var site in revoked)
            {
                _sites[site.Site] = site with { RevokedAfter = appliedThrough(site.Site) };
            }
            if (revoked.Length > 0)
            {
                Save();
            }
            return revoked.Select(s => s.Site).ToArray();
        }
    }

    /// <summary>Learns what the cards found in the folder teach; true when a pin was added or replaced.</summary>
    public bool Consider(IReadOnlyCollection<SiteCard> cards, IReadOnlySet<string> pairedDevices)
    {
        lock (_gate)
        {
            var changed = false;
            foreach (var card in cards.Where(c => c.Self.Site != _own.Site && pairedDevices.Contains(c.Self.Device)))
            {
                changed |= Pin(card.Self, vouchedBy: null);
            }
            // A site trusted through one card may vouch for more: go on until nothing new is learnt.
            for (var learnt = true; learnt;)
            {
                learnt = false;
                foreach (var card in cards.Where(c => _sites.TryGetValue(c.Self.Site, out var pinned) && pinned.Key.AsSpan().SequenceEqual(c.Self.Key)))
                {
                    foreach (var vouch in card.Vouches.Where(v => v.Site != _own.Site && v.Site != card.Self.Site))
                    {
                        learnt |= Pin(vouch, vouchedBy: card.Self.Site);
                    }
                }
                changed |= learnt;
            }
            if (changed)
            {
                Save();
            }
            return changed;
        }
    }

    private bool Pin(SiteKeyStatement statement, string? vouchedBy)
    {
        if (_sites.TryGetValue(statement.Site, out var pinned))
        {
            if (pinned.Key.AsSpan().SequenceEqual(statement.Key))
            {
                var now = vouchedBy is null
                    // The site's own card from a paired device: paired (again), it rests on no voucher.
                    ? pinned with { VouchedBy = null, RevokedAfter = null }
                    // Its voucher revokes it, or lifts that, for whoever trusts it on that voucher alone.
                    : pinned.VouchedBy == vouchedBy ? pinned with { RevokedAfter = statement.RevokedAfter } : pinned;
                if (now == pinned)
                {
                    return false;
                }
                _sites[statement.Site] = now;
                return true;
            }
            // Another key: taken only from the site's own paired device, over a key merely vouched
            // for or one revoked when its machine was unpaired (a machine that lost its key is paired again).
            if (vouchedBy is not null || (pinned.VouchedBy is null && pinned.RevokedAfter is null))
            {
                _disputed.Add(statement.Site);
                return false;
            }
        }
        _sites[statement.Site] = new TrustedSite(statement.Site, statement.Device, statement.Key, statement.UnsignedThrough, vouchedBy, vouchedBy is null ? null : statement.RevokedAfter);
        _disputed.Remove(statement.Site);
        return true;
    }

    private void Save()
    {
        if (_path is null)
        {
            return;
        }
        OwnerOnlyFile.Write(_path, JsonSerializer.SerializeToUtf8Bytes(_sites.Values.Prepend(_own).ToArray(), TrustedSitesJson.Default.TrustedSiteArray), replace: true);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(TrustedSite[]))]
internal sealed partial class TrustedSitesJson : JsonSerializerContext;
