using HermitSync.ServiceDefaults;

namespace HermitSync.Api.Security;

/// <summary>
/// A page on another site can make a browser POST a form, or text/plain, anywhere without asking
/// first. A JSON body is not among what it may send unasked: the browser asks this origin first
/// (a CORS preflight), and nothing here says yes. So every request with a body must be JSON,
/// whatever its handler binds. DELETE needs no body: browsers always ask before sending one
/// to another origin. An upload to an import, or an attachment, is a file, not JSON: it may be any type but the
/// three a form can send unasked.
/// </summary>
public static class JsonBodies
{
    public static IApplicationBuilder UseJsonBodies(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!(HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method)) || request.HasJsonContentType()
                || ((request.Path.StartsWithSegments(ImportUploads) || request.Path.StartsWithSegments(AttachmentUploads)) && IsFileType(request.ContentType)))
            {
                await next(context);
                return;
            }
            await context.WriteProblemAsync(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.",
                "Send the request body as JSON (Content-Type: application/json); a file to import or attach as application/octet-stream.");
        });

    private const string ImportUploads = "/api/imports";
    private const string AttachmentUploads = "/api/attachments";

    /// <summary>A type a browser asks before sending to another origin: not form, multipart or plain text.</summary>
    private static bool IsFileType(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType.Value is { } media
        && !media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
        && !media.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
        && !media.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
}
