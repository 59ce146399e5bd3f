using HermitSync.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Hermit Sync service shares: OpenTelemetry, health endpoints, service discovery
/// and resilient HTTP clients, as in the Aspire service-defaults template; and what keeps
/// browsers out: the host allow-list, the security headers and same-origin writes; and the
/// idle memory trim, which hands back what a burst of work left committed.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    /// <summary>Where the web app's login link leads. Its query carries the access key, which Aspire has traces keep unredacted.</summary>
    public const string LoginPath = "/login";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddHostAllowList();
        builder.AddSecurityHeaders();
        builder.AddSameOriginWrites();
        builder.AddIdleMemoryTrim();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var sampling = new TraceSamplingOptions();
        builder.Configuration.GetSection(TraceSamplingOptions.Section).Bind(sampling);
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("HermitSync.*"))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new RateLimitedSampler(sampling.TracesPerSecond)))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("HermitSync.*")
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Health probes run every few seconds and would drown the traces that matter;
                    // a login's URL holds a secret, which the dashboard would store with its trace.
                    aspnet.Filter = context =>
                        !IsHealthEndpoint(context.Request.Path)
                        && !context.Request.Path.StartsWithSegments(LoginPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>Aspire's health checks call these without any credential; they tell nothing but up or down.</summary>
    internal static bool IsHealthEndpoint(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath) || path.StartsWithSegments(AlivenessEndpointPath);

    /// <summary>
    /// Maps <c>/health</c> (every check must pass) and <c>/alive</c> (the process answers).
    /// Services bind to loopback, so the endpoints are mapped in every environment.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") }).AllowAnonymous();
        return app;
    }
}
