namespace HermitSync.Web.Access;

public sealed class AccessKeyOptions
{
    public const string Section = "HermitSync:Access";

    /// <summary>The file the AppHost keeps the site's access key in: <c>access-token</c> in the site's data directory.</summary>
    public string TokenFile { get; set; } = "";

    /// <summary>How long a browser stays let in after opening the link. Browsers keep a cookie 400 days at most, so this is as long as it can be.</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(400);
}
