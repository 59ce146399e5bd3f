namespace HermitSync.AppHost.Site;

/// <summary>
/// The site's folder holds the plaintext notes database, its backups and its secrets: it is for
/// its owner alone. Before anything starts, the folder exists, owner-only, and whatever an
/// earlier run (or an earlier release) left in it with wider rights is tightened.
/// </summary>
internal static class SiteDataDirectory
{
    public static void Prepare(SiteSettings site)
    {
        OwnerOnly.CreateDirectory(site.DataDirectory);
        foreach (var folder in site.DataFolders)
        {
            OwnerOnly.Tighten(folder);
        }
        foreach (var path in site.DataPaths)
        {
            OwnerOnly.TightenAll(path);
        }
    }
}
