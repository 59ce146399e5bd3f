using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HermitSync.ServiceDefaults;

/// <summary>The Content-Security-Policy every response carries; the web app sets the one its pages need.</summary>
public sealed class SecurityHeadersOptions
{
    /// <summary>For JSON and health answers: a browser that opens one loads nothing and frames nothing.</summary>
    public const string NothingPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>For files people attached: opened on their own, whatever they hold runs nothing and loads nothing.</summary>
    public const string FilePolicy = "default-src 'none'; sandbox; frame-ancestors 'none'";

    public string ContentSecurityPolicy { get; set; } = NothingPolicy;

    /// <summary>Where a service serves attached files, which get <see cref="FilePolicy"/>.</summary>
    public IReadOnlyList<string> FilePaths { get; set; } = ["/attachments", "/api/attachments"];
}

public static class SecurityHeadersExtensions
{
    /// <summary>
    /// Puts the security headers on every response of the service, error pages and
    /// proxied answers included, through a startup filter, so each service's own
    /// pipeline needs no line for them.
    /// </summary>
    public static TBuilder AddSecurityHeaders<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<SecurityHeadersOptions>();
        builder.Services.AddTransient<IStartupFilter, SecurityHeadersStartupFilter>();
        return builder;
    }

    private sealed class SecurityHeadersStartupFilter(IOptions<SecurityHeadersOptions> options) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var policy = options.Value.ContentSecurityPolicy;
            var filePaths = options.Value.FilePaths;
            app.Use((context, nextMiddleware) =>
            {
                var isFile = filePaths.Any(path => context.Request.Path.StartsWithSegments(path));
                // Set as the response starts, so they replace whatever a handler or YARP copied in.
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.ContentSecurityPolicy = isFile ? SecurityHeadersOptions.FilePolicy : policy;
                    headers.XContentTypeOptions = "nosniff";
                    headers["Referrer-Policy"] = "no-referrer";
                    // Another site may not embed or read these responses, even as an image or a script.
                    headers["Cross-Origin-Resource-Policy"] = "same-origin";
                    // A link in a note must not make the browser resolve its host name while the note is read.
                    headers["X-DNS-Prefetch-Control"] = "off";
                    return Task.CompletedTask;
                });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
