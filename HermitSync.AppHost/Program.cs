using HermitSync.AppHost.Site;

var builder = DistributedApplication.CreateBuilder(args);
var site = SiteSettings.Read(builder.Configuration);
var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

var rqlitePassword = builder.AddParameter("rqlite-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
var syncthingApiKey = builder.AddParameter("syncthing-api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
// Every paired site must use the same passphrase: copy it from one machine's user secrets to the other's.
var syncPassphrase = builder.AddParameter("sync-passphrase", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var rqlite = builder.AddRqliteCluster("rqlite", rqlitePassword, site.Runtime, site.RqlitePort,
        site.Runtime == RuntimeMode.Executable ? Rqlited.Locate(builder.Configuration, repository) : null)
    .WithDataDirectory(Path.Combine(site.DataDirectory, "rqlite"));

var syncthing = builder.AddSyncthing("syncthing", syncthingApiKey, site.Runtime, site.SyncthingGuiPort, site.SyncthingListenPort)
    .WithDataDirectory(Path.Combine(site.DataDirectory, "syncthing"), site.SyncFolder, Path.Combine(repository, "syncthing", "config.xml"));

var api = builder.AddProject<Projects.HermitSync_Api>("api")
    .WithReference(rqlite).WaitFor(rqlite)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.HermitSync_Web>("web")
    .WithReference(api).WaitFor(api)
    .WithEndpoint("http", endpoint => endpoint.Port = site.WebPort)
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.HermitSync_Exporter>("exporter")
    .WithReference(rqlite).WaitFor(rqlite)
    .WithReference(syncthing).WaitFor(syncthing)
    .WaitFor(api)
    .WithEnvironment("Sync__SyncFolder", site.SyncFolder)
    .WithEnvironment("Sync__SyncthingFolderPath", syncthing.Resource.FolderPath)
    .WithEnvironment("Sync__QuarantineFolder", site.QuarantineFolder)
    .WithEnvironment("Sync__Passphrase", syncPassphrase)
    .WithSyncSettings(builder.Configuration.GetSection("HermitSync:Sync"))
    .WithHttpHealthCheck("/health");

builder.Build().Run();
