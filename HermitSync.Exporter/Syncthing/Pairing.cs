using HermitSync.Exporter.Passphrase;
using HermitSync.Exporter.Trust;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Exporter.Syncthing;

/// <summary>
/// This machine's device ID and its site's key fingerprint, what it is paired with, who asks,
/// and the sites whose keys it trusts (<see cref="Disputed"/>: sites for which a card stated
/// another key than the one trusted here; <see cref="Waiting"/>: sites whose files wait for a key),
/// and where it stands with the sync passphrase.
/// </summary>
public sealed record PairingStatus(string DeviceId, string Fingerprint, IReadOnlyList<SyncthingPeer> Peers, IReadOnlyList<PendingDevice> Pending,
    IReadOnlyList<TrustedSiteStatus> TrustedSites, IReadOnlyList<string> Disputed, IReadOnlyList<string> Waiting, PassphraseStatus Passphrase);

/// <summary>
/// A site whose files this site accepts: under the key with this fingerprint, learnt from its own
/// device or vouched for by another site; once revoked, only up to its file <see cref="RevokedAfter"/>.
/// </summary>
public sealed record TrustedSiteStatus(string SiteId, string Fingerprint, string DeviceId, string? VouchedBy, long? RevokedAfter);

public sealed record PairRequest(string? DeviceId, string? Name, string? Address);

/// <summary>A device that asked to connect, to be ignored from now on.</summary>
public sealed record IgnoreRequest(string? DeviceId);

/// <summary>What is wrong with a pairing request, and with which field.</summary>
public sealed record PairingProblem(string Field, string Message);

/// <summary>
/// Pairing this machine with others: which devices are paired and how they are doing, adding
/// one (given every site's folder), removing one, and ignoring a device that asks. Every device
/// ID is checked before it goes anywhere near Syncthing.
/// </summary>
public sealed class Pairing(SyncthingClient syncthing, SiteFolders folders, SiteSigningKey signer, TrustedSites trusted, SyncPassphrases passphrases, SiteCards cards, RqliteClient rqlite)
{
    public async Task<PairingStatus> StatusAsync(CancellationToken cancellationToken) => new(
        await syncthing.MyDeviceIdAsync(cancellationToken),
        signer.Fingerprint,
        await syncthing.PeersAsync(folders.OwnFolderId, cancellationToken),
        await syncthing.PendingDevicesAsync(cancellationToken),
        trusted.Sites.Select(s => new TrustedSiteStatus(s.Site, s.Fingerprint, s.Device, s.VouchedBy, s.RevokedAfter)).ToArray(),
        trusted.Disputed,
        trusted.Waiting,
        PassphraseStatus.Of(passphrases));

    /// <summary>Pairs with a device; null when done, else what is wrong with the request.</summary>
    public async Task<PairingProblem?> PairAsync(PairRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.DeviceId))
        {
            return new("deviceId", "Enter the other machine's Syncthing device ID.");
        }
        if (!SyncthingDeviceId.TryParse(request.DeviceId, out var deviceId))
        {
            return NotADeviceId;
        }
        if (deviceId.ToString() == await syncthing.MyDeviceIdAsync(cancellationToken))
        {
            return new("deviceId", "That is this machine's own device ID.");
        }
        var address = request.Address?.Trim();
        if (!string.IsNullOrEmpty(address) && !address.StartsWith("tcp://", StringComparison.Ordinal) && !address.StartsWith("quic://", StringComparison.Ordinal))
        {
            return new("address", "An address looks like tcp://192.0.2.10:22000.");
        }
        await syncthing.AddDeviceAsync(deviceId, string.IsNullOrWhiteSpace(request.Name) ? deviceId.ToString()[..7] : request.Name.Trim(), address, cancellationToken);
        await folders.ShareWithAsync(deviceId.ToString(), cancellationToken);
        return null;
    }

    /// <summary>
    /// Unpairs a device and revokes the sites on it: what they wrote and this site applied stays,
    /// what they sign from now on is refused, here and at the sites that trust them through this one.
    /// </summary>
    public async Task UnpairAsync(SyncthingDeviceId deviceId, CancellationToken cancellationToken)
    {
        await syncthing.UnpairAsync(deviceId, cancellationToken);
        var applied = (await rqlite.QueryAsync(SyncLedgerSql.Applied, ReadConsistency.Strong, cancellationToken))
            .GroupBy(file => file.SiteId).ToDictionary(files => files.Key, files => files.Max(file => file.FileSeq));
        if (trusted.Revoke(deviceId.ToString(), site => applied.GetValueOrDefault(site)).Count > 0)
        {
            await cards.PublishAsync(cancellationToken);
        }
    }

    /// <summary>Ignores a device that asked to connect, so it is not offered again; false when no such device asks.</summary>
    public async Task<bool> IgnoreAsync(SyncthingDeviceId deviceId, CancellationToken cancellationToken)
    {
        var pending = (await syncthing.PendingDevicesAsync(cancellationToken)).FirstOrDefault(p => p.DeviceId == deviceId.ToString());
        if (pending is null)
        {
            return false;
        }
        await syncthing.IgnoreAsync(pending, cancellationToken);
        return true;
    }

    /// <summary>Why a text was refused as a device ID, with what one looks like.</summary>
    public static PairingProblem NotADeviceId { get; } =
        new("deviceId", "That is not a device ID: Syncthing shows it as eight groups of seven letters and digits, e.g. XXXXXXX-XXXXXXX-…");
}
