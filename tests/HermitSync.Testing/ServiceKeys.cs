using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.AppHost.Site;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.Testing;

/// <summary>What a caller of a started stack's services presents, read where the AppHost keeps it.</summary>
public static class ServiceKeys
{
    /// <summary>The AppHost's internal credential, which the API and the exporter ask every caller for; new at every run.</summary>
    public static async Task<string> InternalKeyAsync(this DistributedApplication app, CancellationToken cancellationToken) =>
        await app.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(parameter => parameter.Name == "internal-key")
            .GetValueAsync(cancellationToken)
        ?? throw new InvalidOperationException("The AppHost has no internal key.");

    /// <summary>A site's access key, as the web app reads it: the current one, after any rotation.</summary>
    public static string AccessKey(this SiteSettings site) => File.ReadAllText(site.AccessTokenFile).Trim();
}
