using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HermitSync.ServiceDefaults;

/// <summary>
/// A page on another site can make the browser send a form, or a fetch without CORS, to this
/// service, with its cookie. Browsers say where such a request comes from: <c>Sec-Fetch-Site</c>
/// (every current browser) or else <c>Origin</c>. A request that changes something must come
/// from this origin's own pages, or from a script, which sends neither header.
/// </summary>
public static class SameOriginWrites
{
    /// <summary>Refuses, with a 403, a state-changing request that a browser says came from elsewhere.</summary>
    public static TBuilder AddSameOriginWrites<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddTransient<IStartupFilter, SameOriginWritesStartupFilter>();
        return builder;
    }

    /// <summary>Whether a request may change state: safe methods always; others only from this origin or from no browser at all.</summary>
    public static bool Allows(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            return true;
        }
        // "none" is the person's own doing (the address bar, a bookmark); "same-site" is another origin on this host, e.g. another site's port.
        if (request.Headers["Sec-Fetch-Site"] is [{ } site])
        {
            return site is "same-origin" or "none";
        }
        if (request.Headers.Origin is [{ } origin])
        {
            return string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        }
        return request.Headers["Sec-Fetch-Site"].Count == 0 && request.Headers.Origin.Count == 0;
    }

    private sealed class SameOriginWritesStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (Allows(context.Request))
                {
                    await nextMiddleware(context);
                    return;
                }
                await context.WriteProblemAsync(StatusCodes.Status403Forbidden, "Cross-site request refused.",
                    "A change must come from this app's own pages (or from a script). Your browser says this one came from another site.");
            });
            next(app);
        };
    }
}
