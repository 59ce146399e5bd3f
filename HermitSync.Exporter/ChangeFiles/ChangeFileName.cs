using System.Globalization;
using System.Text.RegularExpressions;
using HermitSync.Storage;

namespace HermitSync.Exporter.ChangeFiles;

/// <summary>
/// Where a change file lives in the sync folder: <c>sites/{site}/c-{seq}.hsync</c> for changes
/// and <c>s-{seq}.hsync</c> for snapshots. One folder per site and one name per sequence
/// number means every file is written once, by one site, and Syncthing never sees two
/// versions of a file to make a conflict copy of.
/// </summary>
public sealed partial record ChangeFileName(string SiteId, ChangeFileKind Kind, long Sequence)
{
    public const string SitesFolder = "sites";
    public const string Extension = ".hsync";

    public string RelativePath => Path.Combine(SitesFolder, SiteId, FileName);

    public string FileName => $"{(Kind == ChangeFileKind.Snapshot ? 's' : 'c')}-{Sequence:D12}{Extension}";

    public static bool TryParse(string relativePath, out ChangeFileName? name)
    {
        name = null;
        var match = Pattern().Match(relativePath.Replace('\\', '/'));
        if (!match.Success)
        {
            return false;
        }
        name = new ChangeFileName(
            match.Groups["site"].Value,
            match.Groups["kind"].Value == "s" ? ChangeFileKind.Snapshot : ChangeFileKind.Changes,
            long.Parse(match.Groups["seq"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    // ASCII digits only, and \z rather than $, which would let a trailing newline through.
    [GeneratedRegex(@"\Asites/(?<site>[0-9a-f]{32})/(?<kind>[cs])-(?<seq>[0-9]{12})\.hsync\z")]
    private static partial Regex Pattern();
}
