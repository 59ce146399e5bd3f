using HermitSync.AppHost.Site;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>Who may reach a site's services: people with its access key, and the services with the AppHost's internal credential.</summary>
public static class AccessBuilderExtensions
{
    /// <summary>Where the services read the internal credential: <c>HermitSync:InternalKey</c>.</summary>
    private const string InternalKeyVariable = "HermitSync__InternalKey";

    /// <summary>Gives a service the AppHost's internal credential, which the API and the exporter ask every caller for.</summary>
    public static IResourceBuilder<ProjectResource> WithInternalKey(this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> internalKey) =>
        service.WithEnvironment(InternalKeyVariable, internalKey);

    /// <summary>
    /// Lets people in with the site's access key: it is made on the first start (or replaced when
    /// <c>HermitSync:RotateAccessKey</c> is set, which <c>./hermit run --rotate-access-key</c> does),
    /// the web app reads it from its file, and once the web app is up the Notes link is printed. The
    /// dashboard command "Rotate access key" replaces it while the site runs.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithAccessKey(this IResourceBuilder<ProjectResource> web, SiteSettings site)
    {
        var builder = web.ApplicationBuilder;
        var rotate = builder.Configuration.GetValue("HermitSync:RotateAccessKey", false);
        if (builder.ExecutionContext.IsRunMode)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>(async (_, cancellationToken) => await AccessKeyFile.EnsureAsync(site.AccessTokenFile, rotate, cancellationToken));
            builder.Eventing.Subscribe<ResourceReadyEvent>(web.Resource, async (_, cancellationToken) =>
                NotesLink.Print(site, await AccessKeyFile.EnsureAsync(site.AccessTokenFile, rotate: false, cancellationToken)));
        }
        return web
            .WithEnvironment("HermitSync__Access__TokenFile", site.AccessTokenFile)
            .WithCommand("rotate-access-key", "Rotate access key", async context =>
            {
                NotesLink.Print(site, await AccessKeyFile.RotateAsync(site.AccessTokenFile, context.CancellationToken));
                return CommandResults.Success("The site has a new access key. Its Notes link is printed in the console ./hermit runs in; the old link, key and browser sessions no longer work.");
            }, new CommandOptions
            {
                Description = "Replaces the site's access key: every browser must open the new Notes link, and scripts need the new key.",
                IconName = "KeyReset",
                ConfirmationMessage = "Replace the access key? Every browser signed in now is signed out, and scripts need the new key from access-token.",
            });
    }
}
