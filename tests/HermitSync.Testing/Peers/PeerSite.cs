using System.Net.Http.Json;
using System.Security.Cryptography;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Syncthing;
using HermitSync.Exporter.Trust;
using HermitSync.Storage;

namespace HermitSync.Testing.Peers;

/// <summary>
/// A site on a machine a test or a benchmark plays: its id, its Syncthing device (made up, it
/// never connects) and its signing key. A real site trusts it as it trusts any peer: its device
/// is paired there, and its card stands in its folder there.
/// </summary>
public sealed class PeerSite : IDisposable
{
    public string SiteId { get; } = SiteIds.New();

    public string DeviceId { get; } = SyncthingDeviceId.FromCertificateHash(RandomNumberGenerator.GetBytes(32)).ToString();

    public SiteSigningKey Key { get; } = SiteSigningKey.Create();

    public ChangeFileName Name(long sequence, ChangeFileKind kind = ChangeFileKind.Changes) => new(SiteId, kind, sequence);

    /// <summary>Its card, stating its key and that it wrote no file unsigned.</summary>
    public byte[] Card() => new SiteCard(new SiteKeyStatement(SiteId, DeviceId, Key.PublicKey, 0), []).Seal(Key);

    public byte[] Seal(SyncKeyring keyring, long sequence, IReadOnlyList<NoteRevision> revisions, ChangeFileKind kind = ChangeFileKind.Changes) =>
        ChangeFile.Seal(keyring, Key, kind, SiteId, sequence, revisions);

    /// <summary>
    /// Pairs its device with a site's Syncthing (<paramref name="syncthing"/>, its REST API) and
    /// lands its card in that site's copy of its folder, as Syncthing would, so the site trusts it.
    /// </summary>
    public async Task IntroduceAsync(HttpClient syncthing, string syncFolder, CancellationToken cancellationToken = default)
    {
        using var paired = await syncthing.PutAsJsonAsync($"/rest/config/devices/{DeviceId}",
            new { deviceID = DeviceId, name = $"peer {SiteId[..8]}", addresses = new[] { "dynamic" } }, cancellationToken);
        paired.EnsureSuccessStatusCode();
        var path = Path.Combine(syncFolder, SiteCard.RelativePathOf(SiteId));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".syncthing.{SiteCard.FileName}.tmp");
        await File.WriteAllBytesAsync(temporary, Card(), cancellationToken);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Unpairs its device again; its files and card are the caller's to remove.</summary>
    public async Task DismissAsync(HttpClient syncthing, CancellationToken cancellationToken = default)
    {
        using var response = await syncthing.DeleteAsync($"/rest/config/devices/{DeviceId}", cancellationToken);
    }

    public void Dispose() => Key.Dispose();
}

/// <summary>
/// The keys of the sites whose cards stand in a sync folder, as they state them: for a test or a
/// benchmark that opens what a real site wrote. A site trusts a key by rules this does not apply.
/// </summary>
public sealed class CardKeys(string syncFolder) : ISiteKeys
{
    public TrustedKey? KeyOf(string siteId)
    {
        var path = Path.Combine(syncFolder, SiteCard.RelativePathOf(siteId));
        return File.Exists(path) && SiteCard.Open(File.ReadAllBytes(path), siteId).Self is { } self ? new TrustedKey(self.Key, self.UnsignedThrough) : null;
    }
}
