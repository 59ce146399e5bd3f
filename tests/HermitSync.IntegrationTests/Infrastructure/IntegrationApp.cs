using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>
/// A small app model a test builds itself around one hosting integration, with a temporary data
/// directory. Disposing stops it, waits until no process works on that directory, and removes it.
/// </summary>
public sealed class IntegrationApp : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    private readonly StartedProcesses _processes = new();
    private readonly CancellationTokenSource _stopFollowing = new();

    private IntegrationApp(string dataDirectory, DistributedApplication app)
    {
        DataDirectory = dataDirectory;
        App = app;
        _processes.Follow(app, _stopFollowing.Token);
    }

    public string DataDirectory { get; }

    public DistributedApplication App { get; }

    /// <summary>
    /// Builds the model with <paramref name="build"/> (given the builder and the data directory),
    /// starts it and waits until <paramref name="healthyResource"/> is healthy. A model that does
    /// not get there is stopped before this throws.
    /// </summary>
    public static async Task<IntegrationApp> StartAsync(string name, Action<IDistributedApplicationTestingBuilder, string> build, string healthyResource)
    {
        var dataDirectory = Directory.CreateTempSubdirectory($"hermit-{name}-").FullName;
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = DistributedApplicationTestingBuilder.Create([], (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        build(builder, dataDirectory);
        var model = new IntegrationApp(dataDirectory, await builder.BuildAsync(timeout.Token));
        try
        {
            await model.App.StartAsync(timeout.Token);
            await model.App.ResourceNotifications.WaitForResourceHealthyAsync(healthyResource, timeout.Token);
            return model;
        }
        catch
        {
            await model.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            _processes.RecordTrees();
            await _stopFollowing.CancelAsync();
            await App.StopAsync(timeout.Token);
        }
        finally
        {
            await App.DisposeAsync();
            _stopFollowing.Dispose();
            var left = await _processes.WaitUntilNoneRunsAsync(DataDirectory, TimeSpan.FromSeconds(30));
            Directory.Delete(DataDirectory, recursive: true);
            if (left.Count > 0)
            {
                throw new InvalidOperationException($"Processes outlived the app: {string.Join(", ", left)}");
            }
        }
    }
}
