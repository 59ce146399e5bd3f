using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Rqlite;
using HermitSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HermitSync.IntegrationTests.Rqlite;

/// <summary>
/// A real three-node cluster built in the test through the hosting integration, as the AppHost
/// builds one: <c>AddRqliteCluster(...).RunAsExecutable(...)</c>, local rqlited processes on free
/// loopback ports, in a temporary directory. Disposing stops the app, waits until none of its
/// processes is left, and removes the data.
/// </summary>
public sealed class RqliteClusterFixture : IAsyncLifetime
{
    public const string ClusterName = "rqlite";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(1);

    private string _connectionString = "";

    public string Password { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("hermit-rqlite-").FullName;

    public DistributedApplication App { get; private set; } = null!;

    public RqliteClusterResource Cluster => App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<RqliteClusterResource>().Single();

    /// <summary>Each node's HTTP endpoint, as the app model publishes it.</summary>
    public IReadOnlyList<Uri> NodeEndpoints => Cluster.Nodes.Select(node => App.GetEndpoint(node.Name, "http")).ToArray();

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = DistributedApplicationTestingBuilder.Create([], (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // The secret is set here, so nothing lands in anyone's user secrets.
        builder.Configuration["Parameters:rqlite-password"] = Password;
        var password = builder.AddParameter("rqlite-password", secret: true);
        builder.AddRqliteCluster(ClusterName, password, FreePorts.Consecutive(6))
            .RunAsExecutable(Repository.Rqlited)
            .WithDataDirectory(DataDirectory)
            .WithStepDownCommand();

        App = await builder.BuildAsync(timeout.Token);
        try
        {
            await App.StartAsync(timeout.Token);
            await App.ResourceNotifications.WaitForResourceHealthyAsync(ClusterName, timeout.Token);
            _connectionString = await App.GetConnectionStringAsync(ClusterName, timeout.Token)
                ?? throw new InvalidOperationException("The cluster has no connection string.");
        }
        catch
        {
            await StopAsync();
            throw;
        }
    }

    /// <summary>A new client, so a test can rely on which node it prefers: the first.</summary>
    public RqliteClient Client() => RqliteClient.Create(_connectionString, settings => settings.FailoverTimeout = TimeSpan.FromSeconds(15));

    public async Task DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            await App.StopAsync(timeout.Token);
        }
        finally
        {
            await App.DisposeAsync();
            var left = await ProcessTable.WaitUntilNoneMentionAsync(DataDirectory, TimeSpan.FromSeconds(30));
            Directory.Delete(DataDirectory, recursive: true);
            if (left.Count > 0)
            {
                throw new InvalidOperationException($"Processes still running on the test's data after it stopped: {string.Join(", ", left)}");
            }
        }
    }
}
