using HermitSync.Rqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class RqliteClientExtensions
{
    private const string ConfigurationSection = "Aspire:Rqlite:Client";

    /// <summary>
    /// Registers a singleton <see cref="RqliteClient"/> for the connection string named
    /// <paramref name="connectionName"/>, with a health check, tracing and metrics.
    /// </summary>
    public static IHostApplicationBuilder AddRqliteClient(
        this IHostApplicationBuilder builder, string connectionName, Action<RqliteClientSettings>? configure = null)
    {
        var settings = new RqliteClientSettings();
        builder.Configuration.GetSection(ConfigurationSection).Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ParseConnectionString(connectionString);
        }
        configure?.Invoke(settings);
        if (settings.Endpoints.Count == 0)
        {
            throw new InvalidOperationException(
                $"rqlite client '{connectionName}' has no endpoints. Set ConnectionStrings:{connectionName} to 'Endpoints=http://host:port,...;Username=...;Password=...'.");
        }

        var httpClientName = $"rqlite-{connectionName}";
        var httpClient = builder.Services.AddHttpClient(httpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(RqliteHttp.CreateHandler);
        // RqliteClient fails over across nodes itself and knows which writes are safe to re-send.
#pragma warning disable EXTEXP0001 // Experimental, but the supported way to opt one client out of the standard handler.
        httpClient.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        builder.Services.AddSingleton(sp => new RqliteClient(
            () => sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName),
            settings,
            sp.GetRequiredService<ILogger<RqliteClient>>()));

        if (settings.LogCacheReleaseAfterBytes > 0)
        {
            if (settings.LogCacheCheckInterval <= TimeSpan.Zero)
            {
                throw new InvalidOperationException($"{ConfigurationSection}:LogCacheCheckInterval must be positive while LogCacheReleaseAfterBytes is set.");
            }
            builder.Services.AddHostedService(sp => new RqliteLogCacheRelease(
                sp.GetRequiredService<RqliteClient>(), settings, TimeProvider.System, sp.GetRequiredService<ILogger<RqliteLogCacheRelease>>()));
        }
        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().AddCheck<RqliteHealthCheck>(connectionName, tags: ["ready"]);
        }
        if (!settings.DisableTracing)
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(RqliteClient.ActivitySourceName));
        }
        if (!settings.DisableMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(RqliteClient.MeterName));
        }
        return builder;
    }
}
