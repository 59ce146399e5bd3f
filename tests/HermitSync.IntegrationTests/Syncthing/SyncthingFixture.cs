using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.Exporter.Syncthing;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Syncthing;

/// <summary>
/// Syncthing started through the hosting integration in a small app model, as the AppHost
/// starts it: <c>AddSyncthing(...).RunAsExecutable(...)</c> with the binary <c>./hermit</c>
/// unpacks, in a temporary directory, on free loopback ports.
/// </summary>
public sealed class SyncthingFixture : IAsyncLifetime
{
    public const string Name = "syncthing";

    private IntegrationApp? _model;

    public string ApiKey { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public string GuiUser { get; } = "gui" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..8].ToLowerInvariant();

    public string GuiPassword { get; } = Convert.ToHexString(Guid.NewGuid().ToByteArray());

    public int ListenPort { get; } = FreePorts.One();

    public string DataDirectory => _model!.DataDirectory;

    private string _connectionString = "";

    public async Task InitializeAsync()
    {
        _model = await IntegrationApp.StartAsync("syncthing", (builder, dataDirectory) =>
        {
            // The secrets are set here, so nothing lands in anyone's user secrets.
            builder.Configuration["Parameters:api-key"] = ApiKey;
            builder.Configuration["Parameters:gui-user"] = GuiUser;
            builder.Configuration["Parameters:gui-password"] = GuiPassword;
            builder.AddSyncthing(Name, builder.AddParameter("api-key", secret: true), builder.AddParameter("gui-user", secret: true),
                    builder.AddParameter("gui-password", secret: true), FreePorts.One(), ListenPort)
                .RunAsExecutable(SyncthingBinary.Locate(new ConfigurationBuilder().Build(), Repository.Root))
                .WithDataDirectory(Path.Combine(dataDirectory, "home"))
                .WithSharedFolder(Path.Combine(dataDirectory, "shared"));
        }, Name);
        _connectionString = await _model.App.GetConnectionStringAsync(Name) ?? throw new InvalidOperationException("Syncthing has no connection string.");
    }

    /// <summary>The shared folder as Syncthing sees it, from the app model.</summary>
    public string FolderPath => _model!.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ISyncthingResource>().Single().FolderPath;

    /// <summary>The exporter's own client, set up from the connection string the AppHost gives the exporter.</summary>
    public SyncthingClient Client()
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        SyncthingClient.Configure(http, _connectionString);
        return new SyncthingClient(http);
    }

    /// <summary>A client for the REST API; with the key in its header unless <paramref name="withApiKey"/> is false.</summary>
    public HttpClient Rest(bool withApiKey = true)
    {
        var http = new HttpClient { BaseAddress = _model!.App.GetEndpoint(Name, "http"), Timeout = TimeSpan.FromSeconds(30) };
        if (withApiKey)
        {
            http.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        }
        return http;
    }

    /// <summary>A model that failed to start has already stopped itself.</summary>
    public async Task DisposeAsync()
    {
        if (_model is not null)
        {
            await _model.DisposeAsync();
        }
    }
}
