using System.Text.Json;
using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// rqlite reads its users from a file. It holds their passwords, so it is written as the app
/// starts, owner-only, from the secret parameter: never committed, never on a command line.
/// Every node reads the same file, so a request a follower forwards to the leader is allowed there too.
/// </summary>
internal static class RqliteAuthFile
{
    public static async Task WriteAsync(RqliteClusterResource cluster, CancellationToken cancellationToken)
    {
        var users = new List<Dictionary<string, object>>();
        foreach (var user in RqliteUser.All)
        {
            users.Add(new Dictionary<string, object>
            {
                ["username"] = user.Name,
                ["password"] = await cluster.PasswordOf(user).GetValueAsync(cancellationToken) ?? "",
                ["perms"] = user.Permissions,
            });
        }
        await OwnerOnly.ReplaceFileAsync(cluster.AuthFile, (file, ct) => JsonSerializer.SerializeAsync(file, users, cancellationToken: ct), cancellationToken);
    }
}
