using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>A resource's environment as its callbacks write it for a run, read without starting anything.</summary>
internal static class RunEnvironment
{
    public static async Task<Dictionary<string, object>> OfAsync(IResource resource)
    {
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }
}
