using HermitSync.ServiceDefaults;

namespace HermitSync.Api.Security;

/// <summary>
/// A page on another site can make a browser POST a form, or text/plain, anywhere without asking
/// first. A JSON body is not among what it may send unasked: the browser asks this origin first
/// (a CORS preflight), and nothing here says yes. So every request with a body must be JSON,
/// whatever its handler binds. DELETE needs no body: browsers always ask before sending one
/// to another origin.
/// </summary>
public static class JsonBodies
{
    public static IApplicationBuilder UseJsonBodies(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)) || request.HasJsonContentType())
            {
                await next(context);
                return;
            }
            await context.WriteProblemAsync(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.",
                "Send the request body as JSON (Content-Type: application/json).");
        });
}
