using HermitSync.ServiceDefaults;
using HermitSync.Web.Access;
using HermitSync.Web.Cluster;
using HermitSync.Web.Import;
using HermitSync.Web.Notes;
using HermitSync.Web.Sync;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Pages run only this app's own script and stylesheet, and show only images attached to notes,
// which this app serves, so no note can style the page, run code or fetch anything.
builder.Services.Configure<SecurityHeadersOptions>(headers => headers.ContentSecurityPolicy =
    "default-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
// The login link's URL carries the access key, and these lines carry the URL.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
builder.Services.AddRazorPages();
builder.Services.AddHttpForwarderWithServiceDiscovery();

// Everything but the login page and the health endpoints asks for the site's access key.
builder.Services.AddOptions<AccessKeyOptions>()
    .BindConfiguration(AccessKeyOptions.Section)
    .Validate(o => Path.IsPathFullyQualified(o.TokenFile), "HermitSync:Access:TokenFile must be the absolute path of the site's access-token; start the web app through the AppHost.")
    .ValidateOnStart();
builder.Services.AddSingleton<AccessKey>();
builder.Services.AddAuthentication(AccessKeyHandler.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, AccessKeyHandler>(AccessKeyHandler.SchemeName, configureOptions: null);
builder.Services.AddAuthorizationBuilder()
    .SetFallbackPolicy(new AuthorizationPolicyBuilder(AccessKeyHandler.SchemeName).RequireAuthenticatedUser().Build());

// Resolved by service discovery from what the AppHost injects; "api" unless the site has a name.
// The API answers only callers with the AppHost's internal credential, which every call here adds.
var apiAddress = new Uri(builder.Configuration["HermitSync:Api"] ?? "http://api");
builder.Services.AddHttpClient<NotesApi>(http => http.BaseAddress = apiAddress).AddInternalCredential();
builder.Services.AddHttpClient<OrganizationApi>(http => http.BaseAddress = apiAddress).AddInternalCredential();
builder.Services.AddHttpClient<ClusterApi>(http => http.BaseAddress = apiAddress).AddInternalCredential();
builder.Services.AddHttpClient<SyncApi>(http => http.BaseAddress = apiAddress).AddInternalCredential();
// An upload may take minutes and cannot be sent twice: no retries, no short timeouts. Removing
// the defaults' resilience handler is marked experimental, but it is the documented way.
#pragma warning disable EXTEXP0001
builder.Services.AddHttpClient<ImportsApi>(http =>
    {
        http.BaseAddress = apiAddress;
        http.Timeout = TimeSpan.FromMinutes(30);
    })
    .AddInternalCredential()
    .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
builder.Services.AddHttpClient<AttachmentsApi>(http => http.BaseAddress = apiAddress).AddInternalCredential();
builder.Services.AddTransient<NoteBodies>();
builder.Services.AddOptions<AttachmentOptions>().BindConfiguration(AttachmentOptions.Section);
builder.Services.AddSingleton<MarkdownRenderer>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<ClusterHealthNotice>();

var app = builder.Build();

app.UseExceptionHandler("/Error");
app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapDefaultEndpoints();
app.MapRazorPages();
// Scripts can use the web port for the API and its OpenAPI document too; YARP forwards in-process, as in eShop's WebApp.
var internalCredential = app.Services.GetRequiredService<IOptions<InternalCredentialOptions>>().Value.AuthorizationHeader();
app.MapForwarder("/api/{**path}", apiAddress.ToString(), AsInternalCaller);
app.MapForwarder("/openapi/{**path}", apiAddress.ToString(), AsInternalCaller);
// Notes link to their attachments at /attachments/{hash}; the API serves them. An upload may be
// larger than a page's form, up to what one attachment may be, with room above it so the API,
// which counts the bytes, is the one that refuses and says why.
const long uploadSlack = 1024 * 1024;
app.MapForwarder("/attachments/{hash:regex(^[0-9a-f]{{64}}$)}", apiAddress.ToString(), transforms =>
{
    AsInternalCaller(transforms);
    transforms.AddPathPrefix("/api");
}).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
app.MapForwarder("/api/attachments", apiAddress.ToString(), AsInternalCaller)
    .WithMetadata(new RequestSizeLimitAttribute(app.Services.GetRequiredService<IOptions<AttachmentOptions>>().Value.MaxBytes + uploadSlack));

app.Run();

// The API sees the web app's credential, never the person's key or cookie; and the Host the browser
// sent, so its own same-origin check reads Origin against the origin the browser saw.
void AsInternalCaller(Yarp.ReverseProxy.Transforms.Builder.TransformBuilderContext transforms)
{
    transforms.AddOriginalHost();
    transforms.AddRequestHeaderRemove("Cookie");
    transforms.AddRequestTransform(context =>
    {
        context.ProxyRequest.Headers.Authorization = internalCredential;
        return ValueTask.CompletedTask;
    });
}
