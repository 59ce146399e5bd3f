namespace HermitSync.AppHost.Site;

/// <summary>The names of a site's resources, before the site's prefix (<see cref="SiteSettings.ResourceName"/>).</summary>
public static class SiteResource
{
    public const string Rqlite = "rqlite";
    public const string Syncthing = "syncthing";
    public const string Api = "api";
    public const string Web = "web";
    public const string Exporter = "exporter";
}
