using HermitSync.AppHost;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>Finds the <c>syncthing</c> binary that <c>./hermit</c> unpacks from Debian trixie's package.</summary>
public static class SyncthingBinary
{
    public static string Locate(IConfiguration configuration, string repository) =>
        LocalBinary.Locate(configuration, "HermitSync:Syncthing:Executable", repository, "tools/syncthing/usr/bin/syncthing");
}
