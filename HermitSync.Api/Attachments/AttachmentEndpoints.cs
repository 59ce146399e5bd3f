using HermitSync.Api.Sync;
using HermitSync.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace HermitSync.Api.Attachments;

/// <summary>
/// <c>POST /api/attachments?name=</c> takes a file as the body (any type a page cannot send to
/// another origin unasked, such as application/octet-stream) and answers 201 with what was
/// stored; <c>GET /api/attachments/{hash}</c> serves it, an image inline and anything else as a
/// download; <c>GET /api/attachments?hash=…</c> says which of some attachments are here.
/// </summary>
public static class AttachmentEndpoints
{
    /// <summary>How many attachments one lookup asks about: as many as one note may link to.</summary>
    private const int MaxLookup = AttachmentLinks.MaxPerBody;

    private const int MaxNameLength = 255;

    public static IEndpointRouteBuilder MapAttachmentEndpoints(this IEndpointRouteBuilder app)
    {
        var attachments = app.MapGroup("/api/attachments").WithTags("Attachments");
        attachments.MapPost("/", Add).WithName("AddAttachment");
        attachments.MapGet("/", Lookup).WithName("LookupAttachments");
        // HEAD too: a page asks whether an attachment it waits for has arrived.
        attachments.MapMethods("/{hash:regex(^[0-9a-f]{{64}}$)}", [HttpMethods.Get, HttpMethods.Head], Get).WithName("GetAttachment");
        return app;
    }

    private static async Task<Results<Created<Attachment>, ProblemHttpResult>> Add(
        AttachmentStore store, HttpContext http, string? name, CancellationToken cancellationToken)
    {
        var fileName = FileName(name);
        if (fileName is null)
        {
            return TypedResults.Problem($"Say the file's name in ?name=, such as photo.png: at most {MaxNameLength} characters, no control characters.", statusCode: StatusCodes.Status400BadRequest);
        }
        if (http.Request.ContentLength > store.MaxBytes)
        {
            return TooLarge(new AttachmentTooLargeException(store.MaxBytes).Message);
        }
        // A file may be larger than the API's usual limit, up to what an attachment may be; the store counts the bytes itself.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = store.MaxBytes + 1;
        }
        try
        {
            var attachment = await store.AddAsync(http.Request.Body, fileName, cancellationToken);
            return TypedResults.Created(attachment.Link, attachment);
        }
        catch (AttachmentTooLargeException e)
        {
            return TooLarge(e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(new AttachmentTooLargeException(store.MaxBytes).Message);
        }
    }

    private static async Task<Results<Ok<AttachmentLookup>, ProblemHttpResult>> Lookup(AttachmentStore store, string[]? hash, CancellationToken cancellationToken)
    {
        var hashes = (hash ?? []).Distinct().ToArray();
        if (hashes.Length is 0 or > MaxLookup || !hashes.All(AttachmentLinks.IsHash))
        {
            return TypedResults.Problem($"Ask with 1 to {MaxLookup} ?hash= values, each a SHA-256 in lower-case hex.", statusCode: StatusCodes.Status400BadRequest);
        }
        return TypedResults.Ok(await store.LookupAsync(hashes, cancellationToken));
    }

    private static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> Get(AttachmentStore store, HttpContext http, string hash, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(hash, cancellationToken) is not { } attachment)
        {
            return TypedResults.Problem($"Attachment {hash} is not here: it has not arrived from the site that added it yet, or it never existed.",
                statusCode: StatusCodes.Status404NotFound, title: "Attachment not here.");
        }
        if (store.PathOf(attachment) is not { } path)
        {
            return TypedResults.Problem($"Attachment {hash} is recorded here, but its file is missing from the data directory.",
                statusCode: StatusCodes.Status404NotFound, title: "Attachment file missing.");
        }
        var inline = AttachmentTypes.ShowsInline(attachment.MediaType);
        http.Response.Headers.ContentDisposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment")
        {
            FileNameStar = attachment.Name,
            FileName = AsciiFileName(attachment.Name),
        }.ToString();
        // Named by its content, so it never changes.
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        return TypedResults.PhysicalFile(path, attachment.MediaType, entityTag: new EntityTagHeaderValue($"\"{hash}\""), enableRangeProcessing: true);
    }

    private static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large to attach.");

    /// <summary>The name the file is kept under: its last path segment, trimmed, or null when there is none or it cannot be a name.</summary>
    private static string? FileName(string? name)
    {
        var fileName = Path.GetFileName(name?.Replace('\\', '/'))?.Trim();
        return string.IsNullOrEmpty(fileName) || fileName.Length > MaxNameLength || fileName.Any(char.IsControl) ? null : fileName;
    }

    /// <summary>The quoted fallback name for clients that do not read <c>filename*</c>.</summary>
    private static string AsciiFileName(string name) =>
        "\"" + new string([.. name.Select(c => char.IsAscii(c) && c is not ('"' or '\\') ? c : '_')]) + "\"";
}
