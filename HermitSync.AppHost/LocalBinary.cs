using Microsoft.Extensions.Configuration;

namespace HermitSync.AppHost;

/// <summary>A program <c>./hermit</c> installs into the repository, unless a setting points elsewhere.</summary>
internal static class LocalBinary
{
    public static string Locate(IConfiguration configuration, string settingKey, string repository, string installedPath)
    {
        if (configuration[settingKey] is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"{settingKey} points at {configured}, which does not exist.");
        }
        var installed = Path.Combine(repository, installedPath);
        return File.Exists(installed)
            ? installed
            : throw new FileNotFoundException($"{Path.GetFileName(installedPath)} is not installed at {installed}. Run ./hermit run once.");
    }
}
