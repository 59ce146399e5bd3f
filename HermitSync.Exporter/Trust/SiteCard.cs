using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Storage;

namespace HermitSync.Exporter.Trust;

/// <summary>
/// A site's key as one site states it: the site, the Syncthing device it runs on, the last file it
/// wrote unsigned, and, once the stating site unpaired it, the last of its files applied there.
/// </summary>
public sealed record SiteKeyStatement(string Site, string Device, byte[] Key, long UnsignedThrough, long? RevokedAfter = null);

/// <summary>
/// What a site publishes about keys, signed by its own: its own key (<see cref="Self"/>), the
/// keys of the sites it trusts (<see cref="Vouches"/>), so a site paired with it alone learns them
/// too, and the passphrase epochs it has written under (<see cref="Epochs"/>), so its peers
/// follow when it changes the passphrase.
/// </summary>
public sealed record SiteCard(SiteKeyStatement Self, IReadOnlyList<SiteKeyStatement> Vouches)
{
    /// <summary>The epoch tags the site has written under, oldest first (<see cref="Passphrase.SyncPassphrases.History"/>).</summary>
    public IReadOnlyList<string> Epochs { get; init; } = [];

    /// <summary>Where a site's card lives: <c>sites/{site}/identity.hsid</c>, in its own folder, rewritten as it changes.</summary>
    public const string FileName = "identity.hsid";

    public const int MaxBytes = 256 * 1024;
    public const int MaxVouches = 1024;
    public const int FormatVersion = 1;

    private const int PreambleBytes = 10;
    private static ReadOnlySpan<byte> Magic => "HRMTCARD"u8;

    public static string RelativePathOf(string siteId) => Path.Combine(ChangeFileName.SitesFolder, siteId, FileName);

    /// <summary>Signs the card with the key it states as its own.</summary>
    public byte[] Seal(SiteSigningKey key)
    {
        if (!key.PublicKey.AsSpan().SequenceEqual(Self.Key))
        {
            throw new ArgumentException("A card is signed by the key it states as its site's own.", nameof(key));
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(this, SiteCardJson.Default.SiteCard);
        var signed = new byte[PreambleBytes + json.Length];
        Magic.CopyTo(signed);
        BinaryPrimitives.WriteUInt16BigEndian(signed.AsSpan(8), FormatVersion);
        json.CopyTo(signed, PreambleBytes);
        return [.. signed, .. key.Sign(signed)];
    }

    /// <summary>
    /// Reads a card found at <c>sites/{<paramref name="folderSite"/>}/</c>, checking that it is
    /// well formed, is that site's, and verifies under the key it states. Whether that key is the
    /// site's is for <see cref="TrustedSites"/> to judge. Any fault is a rejection with a reason.
    /// </summary>
    public static SiteCard Open(ReadOnlySpan<byte> file, string folderSite)
    {
        if (file.Length > MaxBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.TooLarge, $"A card of {file.Length} bytes is over the {MaxBytes} byte limit.");
        }
        if (file.Length < PreambleBytes + SiteSigningKey.SignatureBytes || !file[..Magic.Length].SequenceEqual(Magic))
        {
            throw new ChangeFileRejectedException(RejectionReason.NotAChangeFile, "It is not a Hermit Sync site card.");
        }
        if (BinaryPrimitives.ReadUInt16BigEndian(file[8..]) != FormatVersion)
        {
            throw new ChangeFileRejectedException(RejectionReason.UnknownVersion, $"Card format {BinaryPrimitives.ReadUInt16BigEndian(file[8..])}; this build reads {FormatVersion}.");
        }
        var signed = file[..^SiteSigningKey.SignatureBytes];
        SiteCard? card;
        try
        {
            card = JsonSerializer.Deserialize(signed[PreambleBytes..], SiteCardJson.Default.SiteCard);
        }
        catch (JsonException e)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"The card is not valid: {e.Message}");
        }
        var problem = card is null || card.Self is null || card.Vouches is null ? "it leaves out its site or its vouches"
            : card.Vouches.Count > MaxVouches ? $"it vouches for {card.Vouches.Count} sites, over {MaxVouches}"
            : card.Epochs is null || card.Epochs.Count > Passphrase.SyncPassphrases.MaxEpochs || !card.Epochs.All(Passphrase.SyncPassphrases.IsTag)
                ? $"its passphrase epochs are not a list of at most {Passphrase.SyncPassphrases.MaxEpochs} epoch tags"
            : card.Self.Site != folderSite ? $"it states site {card.Self.Site} but stands in {folderSite}'s folder"
            : card.Vouches.Prepend(card.Self).FirstOrDefault(s => !IsWellFormed(s)) is { } bad ? $"its statement of site {bad?.Site} is not well formed"
            : null;
        if (problem is not null)
        {
            throw new ChangeFileRejectedException(RejectionReason.Malformed, $"The card is refused: {problem}.");
        }
        if (!SiteSigningKey.Verify(card!.Self!.Key, signed, file[^SiteSigningKey.SignatureBytes..]))
        {
            throw new ChangeFileRejectedException(RejectionReason.BadSignature, "The card is not signed by the key it states: it was altered.");
        }
        return card;
    }

    private static bool IsWellFormed(SiteKeyStatement? statement) =>
        statement is { Site: not null, Device: not null, Key.Length: 32, UnsignedThrough: >= 0, RevokedAfter: null or >= 0 }
        && SiteIds.IsValid(statement.Site)
        && Syncthing.SyncthingDeviceId.TryParse(statement.Device, out var device) && device.ToString() == statement.Device;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(SiteCard))]
internal sealed partial class SiteCardJson : JsonSerializerContext;
