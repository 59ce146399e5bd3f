using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace HermitSync.Testing;

/// <summary>How a test or a benchmark starts an AppHost: until every resource is healthy, or failing at once when one ends instead.</summary>
public static class StackStart
{
    /// <summary>
    /// Starts <paramref name="app"/> and waits until every resource is healthy. A process that
    /// exits while starting (a port taken, say) is never healthy, and the start waits on it for
    /// ever when something depends on it: a resource that ends first fails the start at once, with
    /// a <see cref="ResourceEndedException"/>.
    /// </summary>
    public static async Task StartUntilHealthyAsync(this DistributedApplication app, CancellationToken cancellationToken)
    {
        var resources = app.Resources().Select(resource => resource.Name).ToArray();
        using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ended = Task.WhenAny(resources.Select(resource => app.ResourceNotifications.WaitForResourceAsync(
            resource, change => KnownResourceStates.TerminalStates.Contains(change.Snapshot.State?.Text), stopWaiting.Token)));
        var healthy = StartedAndHealthyAsync(app, resources, stopWaiting.Token);
        var first = await Task.WhenAny(healthy, ended);
        await stopWaiting.CancelAsync();
        if (first == ended && ended.Result.IsCompletedSuccessfully)
        {
            throw new ResourceEndedException(ended.Result.Result.Resource.Name);
        }
        await healthy;
    }

    private static async Task StartedAndHealthyAsync(DistributedApplication app, string[] resources, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        await Task.WhenAll(resources.Select(resource => app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken)));
    }
}

/// <summary>A resource of a starting stack ended before it was healthy: its own output says why.</summary>
public sealed class ResourceEndedException(string resource) : Exception($"{resource} ended while the stack started")
{
    public string Resource { get; } = resource;
}
