using System.Security.Cryptography;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Passphrase;
using HermitSync.Exporter.Sync;
using HermitSync.Exporter.Syncthing;
using HermitSync.Storage;

namespace HermitSync.Exporter.Trust;

/// <summary>A card that was refused, with the bytes it held (null when it was not read).</summary>
public sealed record CardRefusal(CardCandidate Card, ChangeFileRejectedException Reason, byte[]? Content);

/// <summary>
/// The sites' cards in the sync folder: this site's own, written whenever what it trusts
/// changes, and its peers', from which <see cref="TrustedSites"/> learns their keys. A card is
/// read again only when it changed.
/// </summary>
public sealed class SiteCards(SyncFolder folder, TrustedSites trusted, SyncPassphrases passphrases, SiteSigningKey signer, SiteIdentity site, SyncthingClient syncthing, ILogger<SiteCards> logger)
{
    private readonly Dictionary<string, (long Length, DateTime Modified, SiteCard? Card)> _read = new(StringComparer.Ordinal);

    /// <summary>Writes this site's card into its folder, unless the same card stands there already.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        // Ed25519 signatures are deterministic: the same card seals to the same bytes.
        var content = (trusted.OwnCard with { Epochs = [.. passphrases.History.TakeLast(SyncPassphrases.MaxEpochs)] }).Seal(signer);
        var path = SiteCard.RelativePathOf(site.SiteId);
        if (folder.Read(path, SiteCard.MaxBytes) is { } standing && standing.AsSpan().SequenceEqual(content))
        {
            return;
        }
        await folder.ReplaceAsync(path, content, cancellationToken);
        logger.LogInformation("Published this site's card: key {Fingerprint}, vouching for {Count} sites", signer.Fingerprint, trusted.Sites.Count);
    }

    /// <summary>
    /// Reads the peers' cards a scan found and learns the keys they teach, and from trusted sites'
    /// cards which passphrase epochs they write under; then publishes this site's card if what it
    /// trusts or writes under changed. Returns the cards refused since they last changed.
    /// </summary>
    public async Task<IReadOnlyList<CardRefusal>> LearnAsync(IReadOnlyList<CardCandidate> found, CancellationToken cancellationToken)
    {
        var refused = new List<CardRefusal>();
        var cards = new List<SiteCard>();
        foreach (var candidate in found.Where(c => c.SiteId != site.SiteId))
        {
            if (_read.TryGetValue(candidate.RelativePath, out var seen) && seen.Length == candidate.Length && seen.Modified == candidate.ModifiedUtc)
            {
                if (seen.Card is not null)
                {
                    cards.Add(seen.Card);
                }
                continue;
            }
            byte[]? content = null;
            try
            {
                content = folder.Read(candidate.RelativePath, SiteCard.MaxBytes);
                if (content is null)
                {
                    continue;
                }
                var card = SiteCard.Open(content, candidate.SiteId);
                cards.Add(card);
                _read[candidate.RelativePath] = (candidate.Length, candidate.ModifiedUtc, card);
            }
            catch (ChangeFileRejectedException e)
            {
                _read[candidate.RelativePath] = (candidate.Length, candidate.ModifiedUtc, null);
                refused.Add(new CardRefusal(candidate, e, content));
            }
        }
        foreach (var gone in _read.Keys.Except(found.Select(c => c.RelativePath)).ToList())
        {
            _read.Remove(gone);
        }
        if (cards.Count > 0)
        {
            var paired = (await syncthing.DeviceIdsAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            if (trusted.Consider(cards, paired))
            {
                logger.LogInformation("Trusted keys now: {Sites}", string.Join(", ", trusted.Sites.Select(s => $"{s.Site[..8]} {s.Fingerprint}{(s.VouchedBy is null ? "" : $" (vouched for by {s.VouchedBy[..8]})")}")));
            }
            // Only a site whose key is trusted, and not revoked, moves this one to another epoch.
            foreach (var card in cards.Where(c => trusted.KeyOf(c.Self.Site) is { RevokedAfter: null } key && key.PublicKey.AsSpan().SequenceEqual(c.Self.Key)))
            {
                if (passphrases.Observe(card.Self.Site, card.Epochs))
                {
                    logger.LogInformation("Site {Site} changed the sync passphrase; this site writes under the new one too", card.Self.Site);
                }
            }
        }
        await PublishAsync(cancellationToken);
        return refused;
    }

    /// <summary>What a refused card is remembered by: its content, or where it stood when it could not be read.</summary>
    public static string FingerprintOf(CardRefusal refusal) => refusal.Content is { } content
        ? Convert.ToHexStringLower(SHA256.HashData(content))
        : Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"card\0{refusal.Card.RelativePath}\0{refusal.Card.Length}\0{refusal.Card.ModifiedUtc:O}")));
}
