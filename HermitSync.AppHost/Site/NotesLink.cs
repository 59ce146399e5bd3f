namespace HermitSync.AppHost.Site;

/// <summary>
/// The line that tells the person how to reach their notes, as the dashboard's login line does:
/// <c>Notes: http://localhost:5180/login?t=…</c>. It is written straight to the AppHost's console,
/// not logged: no logging provider sees it, so it cannot reach the OpenTelemetry logs the
/// dashboard stores (and shows to anyone with its own link), nor any resource's console log.
/// </summary>
internal static class NotesLink
{
    public static void Print(SiteSettings site, string accessKey)
    {
        var label = site.Name.Length == 0 ? "Notes" : $"Notes (site {site.Name})";
        Console.Out.WriteLine($"{label}: http://localhost:{site.WebPort}/login?t={accessKey}");
        Console.Out.Flush();
    }
}
