using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>The cluster has no process of its own: the dashboard shows it Running once all its nodes run.</summary>
internal static class RqliteClusterState
{
    public static async Task ReportRunningOnceNodesRunAsync(RqliteClusterResource cluster, ResourceNotificationService notifications, IServiceProvider services)
    {
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        try
        {
            await notifications.PublishUpdateAsync(cluster, s => s with { State = KnownResourceStates.Starting });
            foreach (var node in cluster.NodeList)
            {
                await notifications.WaitForResourceAsync(node.Name, KnownResourceStates.Running, stopping);
            }
            await notifications.PublishUpdateAsync(cluster, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
        }
        catch (OperationCanceledException)
        {
        }
    }
}
