namespace Aspire.Hosting.ApplicationModel;

/// <summary>The Syncthing image, the same version <c>./hermit</c> unpacks from Debian trixie for executable mode.</summary>
public static class SyncthingContainerImageTags
{
    public const string Registry = "docker.io";

    public const string Image = "syncthing/syncthing";

    public const string Tag = "1.29.5";
}
