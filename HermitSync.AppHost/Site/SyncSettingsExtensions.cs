using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

public static class SyncSettingsExtensions
{
    /// <summary>
    /// Passes the AppHost's <c>HermitSync:Sync</c> settings (debounce, snapshot cadence, …) on
    /// to the exporter's <c>Sync</c> options, so they can be tuned where the site is defined.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSyncSettings(this IResourceBuilder<ProjectResource> exporter, IConfigurationSection settings)
    {
        foreach (var setting in settings.GetChildren().Where(s => s.Value is not null))
        {
            exporter.WithEnvironment($"Sync__{setting.Key}", setting.Value);
        }
        return exporter;
    }
}
