namespace HermitSync.AppHost;

/// <summary>
/// Swaps a resource for another form of itself (a container for a local process) under the same
/// name, the way dotnet/aspire's <c>RunAsContainer</c> does: the old resource leaves the model.
/// </summary>
internal static class ResourceForms
{
    /// <summary>
    /// A resource that already waits for or references the old one would be left pointing at
    /// nothing, so the form has to be chosen first; otherwise this fails while the model is built.
    /// </summary>
    public static IResourceBuilder<T> Replace<T>(this IDistributedApplicationBuilder builder, IResource old, T replacement) where T : IResource
    {
        var dependent = builder.Resources.FirstOrDefault(resource => resource != old && (
            resource.Annotations.OfType<WaitAnnotation>().Any(wait => wait.Resource == old) ||
            resource.Annotations.OfType<ResourceRelationshipAnnotation>().Any(relation => relation.Resource == old)));
        if (dependent is not null)
        {
            throw new InvalidOperationException($"'{dependent.Name}' already refers to '{old.Name}': choose how '{old.Name}' runs before anything references it.");
        }
        builder.Resources.Remove(old);
        return builder.AddResource(replacement);
    }
}
