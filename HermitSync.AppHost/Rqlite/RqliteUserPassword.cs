using System.Security.Cryptography;
using System.Text;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A user's password, derived from the cluster's one secret parameter with HMAC-SHA256 over the
/// cluster's and the user's names. So the AppHost keeps one secret however many users there are,
/// the services are given only their own users' passwords (never the secret they come from), and
/// one leaked password tells nothing about another, nor about another site's cluster.
/// It is worked out at run time, which a manifest cannot express.
/// </summary>
public sealed class RqliteUserPassword(ParameterResource secret, string clusterName, RqliteUser user)
    : IValueProvider, IManifestExpressionProvider, IValueWithReferences
{
    public string ValueExpression => $"{{hmac-sha256:{secret.Name}:{clusterName}/{user.Name}}}";

    public IEnumerable<object> References => [secret];

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var key = await secret.GetValueAsync(cancellationToken)
            ?? throw new InvalidOperationException($"Parameter '{secret.Name}' has no value.");
        return Derive(key, clusterName, user.Name);
    }

    /// <summary>The password of <paramref name="userName"/> in <paramref name="clusterName"/>, from the cluster's secret.</summary>
    public static string Derive(string secret, string clusterName, string userName) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"hermit-sync rqlite user {clusterName}/{userName}")));
}
