using HermitSync.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>How the AppHost's health checks look at a starting resource: closely until it has passed once, then as they are.</summary>
public sealed class StartingHealthChecksTests
{
    private static readonly StartingHealthOptions Timing = new() { Poll = TimeSpan.FromMilliseconds(20), Wait = TimeSpan.FromMilliseconds(400) };

    [Fact]
    public async Task A_resource_that_becomes_ready_during_a_check_is_reported_healthy_by_that_check()
    {
        var check = new CountedCheck(healthyFrom: 4);
        using var services = Services(check);

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(4, check.Looks);
    }

    [Fact]
    public async Task Once_healthy_a_failing_resource_is_reported_at_the_first_look()
    {
        var check = new CountedCheck(healthyFrom: 1, unhealthyFrom: 2);
        using var services = Services(check);
        var health = services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync()).Status);

        var report = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal(2, check.Looks);
    }

    [Fact]
    public async Task A_resource_that_never_starts_is_reported_with_its_reason_once_the_wait_is_over()
    {
        var check = new CountedCheck(healthyFrom: int.MaxValue, throws: true);
        using var services = Services(check);

        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = Assert.Single(report.Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("not listening yet", entry.Exception?.Message);
        Assert.InRange(check.Looks, 2, 21);
        Assert.True(entry.Duration >= Timing.Wait - Timing.Poll, $"gave up after {entry.Duration}");
    }

    private static ServiceProvider Services(IHealthCheck check)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddCheck("resource", check);
        services.CheckHealthClosely(Timing);
        return services.BuildServiceProvider();
    }

    /// <summary>Unhealthy before look <c>healthyFrom</c> and from look <c>unhealthyFrom</c> on.</summary>
    private sealed class CountedCheck(int healthyFrom, int unhealthyFrom = int.MaxValue, bool throws = false) : IHealthCheck
    {
        private int _looks;

        public int Looks => _looks;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var look = Interlocked.Increment(ref _looks);
            if (look >= healthyFrom && look < unhealthyFrom)
            {
                return Task.FromResult(HealthCheckResult.Healthy());
            }
            return throws ? throw new InvalidOperationException("not listening yet") : Task.FromResult(HealthCheckResult.Unhealthy("not ready"));
        }
    }
}
