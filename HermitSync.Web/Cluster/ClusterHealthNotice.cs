namespace HermitSync.Web.Cluster;

/// <summary>
/// The cluster's health for the banner on every page, asked at most every few seconds so
/// page views do not turn into a stream of status calls.
/// </summary>
public sealed class ClusterHealthNotice(IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(3);
    private (DateTimeOffset At, string? Text) _last = (DateTimeOffset.MinValue, null);

    /// <summary>A sentence for people when the cluster is not healthy; null when all is well.</summary>
    public async Task<string?> GetAsync(CancellationToken cancellationToken)
    {
        var last = _last;
        if (time.GetUtcNow() - last.At < FreshFor)
        {
            return last.Text;
        }
        string? text;
        try
        {
            using var scope = scopes.CreateScope();
            var status = await scope.ServiceProvider.GetRequiredService<ClusterApi>().GetAsync(cancellationToken);
            text = status.Health switch
            {
                "Healthy" => null,
                "Degraded" => $"The notes database is degraded: {status.Reachable} of {status.Total} nodes are up. Everything still works; it survives no further loss.",
                _ => $"The notes database has no leader ({status.Reachable} of {status.Total} nodes up): notes can be read but not saved until it recovers.",
            };
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // The banner must never be what breaks a page.
            text = "The notes service is not answering; changes cannot be saved right now.";
        }
        _last = (time.GetUtcNow(), text);
        return text;
    }
}
