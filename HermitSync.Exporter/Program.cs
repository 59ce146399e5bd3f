using HermitSync.Exporter.Attachments;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Passphrase;
using HermitSync.Exporter.Sync;
using HermitSync.Exporter.Syncthing;
using HermitSync.Exporter.Trust;
using HermitSync.ServiceDefaults;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Its callers are the API (pairing) and the AppHost ("Export now"); nothing else on this machine.
builder.RequireInternalCredential();
builder.AddRqliteClient("rqlite");

var syncthingConnection = builder.Configuration.GetConnectionString("syncthing")
    ?? throw new InvalidOperationException("ConnectionStrings:syncthing is not set; start the exporter through the AppHost.");
builder.Services.AddHttpClient<SyncthingClient>(http => SyncthingClient.Configure(http, syncthingConnection));

builder.Services.AddOptions<SyncOptions>()
    .Bind(builder.Configuration.GetSection("Sync"))
    .Validate(o => Path.IsPathFullyQualified(o.SyncFolder), "Sync:SyncFolder must be an absolute path.")
    .Validate(o => Path.IsPathFullyQualified(o.QuarantineFolder), "Sync:QuarantineFolder must be an absolute path.")
    .Validate(o => Path.IsPathFullyQualified(o.IdentityFolder), "Sync:IdentityFolder must be an absolute path.")
    .Validate(o => o.Peers.All(p => p.DeviceId.Length == 0 || SyncthingDeviceId.TryParse(p.DeviceId, out _)), "Sync:Peers:*:DeviceId must be Syncthing device IDs.")
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<SchemaMigrator>();
builder.Services.AddSingleton<SiteStartup>();
builder.Services.AddSingleton(services => services.GetRequiredService<SiteStartup>().Site);
builder.Services.AddSingleton(services => services.GetRequiredService<SiteStartup>().Signer);
builder.Services.AddSingleton(services => services.GetRequiredService<SiteStartup>().Trusted);
builder.Services.AddSingleton<ISiteKeys>(services => services.GetRequiredService<TrustedSites>());
builder.Services.AddSingleton<SiteCards>();
builder.Services.AddSingleton(services => SyncPassphrases.Load(services.GetRequiredService<IOptions<SyncOptions>>().Value.IdentityFolder));
builder.Services.AddSingleton(services => new SyncKeyring(
    services.GetRequiredService<SyncPassphrases>(), services.GetRequiredService<IOptions<SyncOptions>>().Value.Keyring, services.GetRequiredService<TimeProvider>()));
builder.Services.AddSingleton<Quarantine>();
builder.Services.AddSingleton(services => new SyncFolder(services.GetRequiredService<IOptions<SyncOptions>>().Value.SyncFolder));
builder.Services.AddSingleton<SyncHealth>();
builder.Services.AddHealthChecks().AddCheck<SyncHealth>("sync");
builder.Services.AddSingleton<ChangeExporter>();
builder.Services.AddHostedService(services => services.GetRequiredService<ChangeExporter>());
builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section)
    .Validate(o => Path.IsPathFullyQualified(o.Folder), "HermitSync:Attachments:Folder must be an absolute path; start the exporter through the AppHost.")
    .ValidateOnStart();
builder.Services.AddSingleton(services => new AttachmentBlobs(services.GetRequiredService<IOptions<AttachmentOptions>>().Value.Folder));
builder.Services.AddSingleton<AttachmentReceiver>();
builder.Services.AddSingleton<AttachmentSealer>();
builder.Services.AddHostedService(services => services.GetRequiredService<AttachmentSealer>());
builder.Services.AddSingleton<ChangeImporter>();
builder.Services.AddHostedService(services => services.GetRequiredService<ChangeImporter>());
builder.Services.AddSingleton<SiteFolders>();
builder.Services.AddSingleton<Pairing>();
builder.Services.AddSingleton<SyncthingManager>();
builder.Services.AddHostedService(services => services.GetRequiredService<SyncthingManager>());
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapPairingEndpoints();
app.MapPassphraseEndpoints();
app.MapExportEndpoints();

await app.Services.GetRequiredService<SiteStartup>().StartAsync();

app.Run();
