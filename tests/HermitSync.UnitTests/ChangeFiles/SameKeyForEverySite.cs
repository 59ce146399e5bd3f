using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;

namespace HermitSync.UnitTests.ChangeFiles;

/// <summary>
/// Trusts one signing key for whatever site a file names, so tests about the rest of a file
/// seal it as any site; the tests of trust itself use <see cref="TrustedSites"/>.
/// </summary>
internal sealed class SameKeyForEverySite(SiteSigningKey signer, long unsignedThrough = 0) : ISiteKeys
{
    public static SiteSigningKey Signer { get; } = SiteSigningKey.Create();

    public static SameKeyForEverySite Keys { get; } = new(Signer);

    public TrustedKey? KeyOf(string siteId) => new(signer.PublicKey, unsignedThrough);
}
