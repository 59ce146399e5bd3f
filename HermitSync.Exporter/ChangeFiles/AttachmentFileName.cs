using System.Security.Cryptography;
using System.Text.RegularExpressions;
using HermitSync.Exporter.Passphrase;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// Where an attachment's sealed file lives: <c>sites/{site}/a-{name}.hsync</c>, the name an
/// HMAC of the content's SHA-256 under a key of the passphrase it was sealed under, so a relay that sees the folder
/// cannot tell which known file a note holds, while every site that has the content knows its name.
/// </summary>
public sealed partial record AttachmentFileName(string SiteId, string Name)
{
    public string RelativePath => Path.Combine(ChangeFileName.SitesFolder, SiteId, FileName);

    public string FileName => $"a-{Name}{ChangeFileName.Extension}";

    /// <summary>The name of content whose SHA-256 is <paramref name="hash"/>, under the epoch this site writes under.</summary>
    public static string NameOf(SyncKeyring keyring, string hash) => NameOf(keyring, keyring.Writing, hash);

    /// <summary>The name of that content under <paramref name="epoch"/>.</summary>
    public static string NameOf(SyncKeyring keyring, PassphraseEpoch epoch, string hash) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(keyring.AttachmentNameKey(epoch), Convert.FromHexString(hash)));

    /// <summary>Its names under every epoch this site holds: a peer may have sealed it under any.</summary>
    public static IEnumerable<string> NamesOf(SyncKeyring keyring, string hash) => keyring.Passphrases.Epochs.Select(epoch => NameOf(keyring, epoch, hash));

    public static AttachmentFileName For(SyncKeyring keyring, string siteId, string hash) => new(siteId, NameOf(keyring, hash));

    public static bool TryParse(string relativePath, out AttachmentFileName? name)
    {
        var match = Pattern().Match(relativePath.Replace('\\', '/'));
        name = match.Success ? new AttachmentFileName(match.Groups["site"].Value, match.Groups["name"].Value) : null;
        return match.Success;
    }

    [GeneratedRegex(@"\Asites/(?<site>[0-9a-f]{32})/a-(?<name>[0-9a-f]{64})\.hsync\z")]
    private static partial Regex Pattern();
}
