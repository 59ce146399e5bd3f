using HermitSync.Exporter.Snapshots;
using HermitSync.Exporter.Syncthing;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRqliteClient("rqlite");

var syncthingConnection = builder.Configuration.GetConnectionString("syncthing")
    ?? throw new InvalidOperationException("ConnectionStrings:syncthing is not set; start the exporter through the AppHost.");
builder.Services.AddHttpClient<SyncthingClient>(http => SyncthingClient.Configure(http, syncthingConnection));

builder.Services.AddOptions<ExporterOptions>()
    .Bind(builder.Configuration.GetSection("Exporter"))
    .Validate(o => Path.IsPathFullyQualified(o.SyncFolder), "Exporter:SyncFolder must be an absolute path.")
    .Validate(o => o.KeepSnapshots >= 1, "Exporter:KeepSnapshots must be at least 1.")
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ExportStatus>();
builder.Services.AddHealthChecks().AddCheck<ExportStatus>("export");
builder.Services.AddHostedService<SnapshotExporter>();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
