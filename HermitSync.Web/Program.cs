using HermitSync.ServiceDefaults;
using HermitSync.Web.Cluster;
using HermitSync.Web.Notes;
using HermitSync.Web.Sync;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Pages run only this app's own script and stylesheet, and show only images a note carries
// inside itself (data:), so no note can style the page, run code or fetch anything.
builder.Services.Configure<SecurityHeadersOptions>(headers => headers.ContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
builder.Services.AddRazorPages();
builder.Services.AddHttpForwarderWithServiceDiscovery();

// Resolved by service discovery from what the AppHost injects; "api" unless the site has a name.
var apiAddress = new Uri(builder.Configuration["HermitSync:Api"] ?? "http://api");
builder.Services.AddHttpClient<NotesApi>(http => http.BaseAddress = apiAddress);
builder.Services.AddHttpClient<ClusterApi>(http => http.BaseAddress = apiAddress);
builder.Services.AddHttpClient<SyncApi>(http => http.BaseAddress = apiAddress);
builder.Services.AddSingleton<MarkdownRenderer>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ClusterHealthNotice>();

var app = builder.Build();

app.UseExceptionHandler("/Error");
app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
app.UseStaticFiles();
app.UseRouting();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapRazorPages();
// Scripts can use the web port for the API too; YARP forwards in-process, as in eShop's WebApp.
app.MapForwarder("/api/{**path}", apiAddress.ToString());

app.Run();
