using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HermitSync.AppHost;

/// <summary>
/// Aspire looks again at a resource that is not healthy yet after 1 s, then 2, 3, 4 and 5 s more,
/// so a resource ready just after a check is reported seconds later, and whatever waits for it
/// starts that much later: at a cold start rqlite's nodes, started together, were reported
/// healthy 3.3 s after they started, and the API started only then. So, until a check has
/// passed once, it looks again every <see cref="StartingHealthOptions.Poll"/> for up to
/// <see cref="StartingHealthOptions.Wait"/> before it reports what it saw. Once its resource has
/// been healthy, every check reports at once, so a resource that goes down is seen as promptly
/// as before.
/// </summary>
public static class StartingHealthChecks
{
    public static IDistributedApplicationBuilder CheckHealthClosely(this IDistributedApplicationBuilder builder)
    {
        builder.Services.CheckHealthClosely(new StartingHealthOptions());
        return builder;
    }

    /// <summary>Wraps every health check registered before the checks first run.</summary>
    public static IServiceCollection CheckHealthClosely(this IServiceCollection services, StartingHealthOptions timing)
    {
        services.PostConfigure<HealthCheckServiceOptions>(health =>
        {
            foreach (var registration in health.Registrations)
            {
                var inner = registration.Factory;
                var passed = new PassedOnce();
                registration.Factory = provider => new UntilPassedOnce(inner(provider), passed, timing);
            }
        });
        return services;
    }

    /// <summary>Shared by every run of one registration's check.</summary>
    private sealed class PassedOnce
    {
        private volatile bool _passed;

        public bool Yes => _passed;

        public void Mark() => _passed = true;
    }

    private sealed class UntilPassedOnce(IHealthCheck inner, PassedOnce passed, StartingHealthOptions timing) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                HealthCheckResult result;
                try
                {
                    result = await inner.CheckHealthAsync(context, cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    result = new HealthCheckResult(context.Registration.FailureStatus, e.Message, e);
                }
                if (result.Status == HealthStatus.Healthy)
                {
                    passed.Mark();
                    return result;
                }
                if (passed.Yes || Stopwatch.GetElapsedTime(started) + timing.Poll > timing.Wait)
                {
                    return result;
                }
                await Task.Delay(timing.Poll, cancellationToken);
            }
        }
    }
}

/// <summary>How closely a resource's health is watched while it starts.</summary>
public sealed record StartingHealthOptions
{
    /// <summary>How often a starting resource is looked at again.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one check keeps looking: the longest of Aspire's own pauses between checks.</summary>
    public TimeSpan Wait { get; init; } = TimeSpan.FromSeconds(5);
}
