using HermitSync.Api;
using HermitSync.Api.Attachments;
using HermitSync.Api.Cluster;
using HermitSync.Api.Export;
using HermitSync.Api.Import;
using HermitSync.Api.Notes;
using HermitSync.Api.Organization;
using HermitSync.Api.Security;
using HermitSync.Api.Site;
using HermitSync.Api.Sync;
using HermitSync.Api.Telemetry;
using HermitSync.ServiceDefaults;
using HermitSync.Storage;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Only the web app and the AppHost hold the credential: people and scripts come through the web app.
builder.RequireInternalCredential();
builder.AddRqliteClient("rqlite");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = NoteRules.MaxRequestBytes);

builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default));
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<RqliteProblemHandler>();
// Malformed or oversized bodies are the client's fault in every environment: a 4xx, never a 500.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
builder.Services.AddOpenApi(options => options.AddAccessKeyScheme());
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<HybridLogicalClock>();
builder.Services.AddSingleton<NoteStore>();
builder.Services.AddSingleton<OrganizationStore>();
builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).Validate(o => o.BatchSize > 0 && o.MaxUploadBytes > 0, "HermitSync:Import's sizes must be positive.");
builder.Services.AddSingleton<ImportJobs>();
builder.Services.AddOptions<ExportOptions>().BindConfiguration(ExportOptions.Section).Validate(o => o.PageSize > 0, "HermitSync:Export:PageSize must be positive.");
builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section)
    .Validate(o => Path.IsPathFullyQualified(o.Folder), "HermitSync:Attachments:Folder must be an absolute path; start the API through the AppHost.")
    .Validate(o => o.MaxBytes > 0, "HermitSync:Attachments:MaxBytes must be positive.")
    .ValidateOnStart();
builder.Services.AddSingleton(services => new AttachmentBlobs(services.GetRequiredService<IOptions<AttachmentOptions>>().Value.Folder));
builder.Services.AddSingleton<AttachmentStore>();
builder.Services.AddSingleton<SchemaMigrator>();
builder.Services.AddHttpClient<ExporterClient>(http => http.BaseAddress = new Uri(builder.Configuration["HermitSync:Exporter"] ?? "http://exporter"))
    .AddInternalCredential();
builder.Services.AddSingleton<ExportHints>();
builder.Services.AddHostedService(services => services.GetRequiredService<ExportHints>());
builder.Services.AddSingleton<SiteStartup>();
builder.Services.AddSingleton(services => services.GetRequiredService<SiteStartup>().Site);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseJsonBodies();

app.MapOpenApi();
app.MapDefaultEndpoints();
app.MapGroup("").AddEndpointFilter(NotesTelemetry.CountWrites).MapNotesEndpoints();
app.MapOrganizationEndpoints();
app.MapExportEndpoints();
app.MapImportEndpoints();
app.MapAttachmentEndpoints();
app.MapClusterEndpoints();
app.MapSyncEndpoints();

await app.Services.GetRequiredService<SiteStartup>().StartAsync();

app.Run();
