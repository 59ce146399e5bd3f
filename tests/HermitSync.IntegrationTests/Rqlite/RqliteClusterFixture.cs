using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Rqlite;
using HermitSync.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Rqlite;

/// <summary>
/// A real three-node cluster built in the test through the hosting integration, as the AppHost
/// builds one: <c>AddRqliteCluster(...).RunAsExecutable(...)</c>, local rqlited processes on free
/// loopback ports, in a temporary directory.
/// </summary>
public sealed class RqliteClusterFixture : IAsyncLifetime
{
    public const string ClusterName = "rqlite";

    private IntegrationApp? _model;
    private string _connectionString = "";

    public string Password { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public string DataDirectory => _model!.DataDirectory;

    public DistributedApplication App => _model!.App;

    public RqliteClusterResource Cluster => App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<RqliteClusterResource>().Single();

    /// <summary>Each node's HTTP endpoint, as the app model publishes it.</summary>
    public IReadOnlyList<Uri> NodeEndpoints => Cluster.Nodes.Select(node => App.GetEndpoint(node.Name, "http")).ToArray();

    public async Task InitializeAsync()
    {
        _model = await IntegrationApp.StartAsync("rqlite", (builder, dataDirectory) =>
        {
            // The secret is set here, so nothing lands in anyone's user secrets.
            builder.Configuration["Parameters:rqlite-password"] = Password;
            builder.AddRqliteCluster(ClusterName, builder.AddParameter("rqlite-password", secret: true), FreePorts.Consecutive(6))
                .RunAsExecutable(Repository.Rqlited)
                .WithDataDirectory(dataDirectory)
                .WithStepDownCommand();
        }, ClusterName);
        _connectionString = await App.GetConnectionStringAsync(ClusterName) ?? throw new InvalidOperationException("The cluster has no connection string.");
    }

    /// <summary>A new client, so a test can rely on which node it prefers: the first.</summary>
    public RqliteClient Client() => RqliteClient.Create(_connectionString, settings => settings.FailoverTimeout = TimeSpan.FromSeconds(15));

    /// <summary>A client as the cluster's backup user, whose one job the services' user may not do.</summary>
    public async Task<RqliteClient> BackupClientAsync() =>
        RqliteClient.Create(await Cluster.ConnectionStringFor(RqliteUser.Backup).GetValueAsync(CancellationToken.None) ?? throw new InvalidOperationException("The cluster has no connection string."));

    /// <summary>A model that failed to start has already stopped itself.</summary>
    public async Task DisposeAsync()
    {
        if (_model is not null)
        {
            await _model.DisposeAsync();
        }
    }
}
