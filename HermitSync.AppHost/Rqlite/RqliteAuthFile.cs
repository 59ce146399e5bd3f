using System.Text.Json;
using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// rqlite reads its users from a file. It holds the password, so it is written as the app starts,
/// owner-only, from the secret parameter: never committed, never on a command line.
/// </summary>
internal static class RqliteAuthFile
{
    public static async Task WriteAsync(RqliteClusterResource cluster, CancellationToken cancellationToken)
    {
        var users = new[]
        {
            new Dictionary<string, object>
            {
                ["username"] = RqliteClusterResource.Username,
                ["password"] = await cluster.Password.GetValueAsync(cancellationToken) ?? "",
                ["perms"] = new[] { "all" },
            },
        };
        await OwnerOnly.ReplaceFileAsync(cluster.AuthFile, (file, ct) => JsonSerializer.SerializeAsync(file, users, cancellationToken: ct), cancellationToken);
    }
}
