using HermitSync.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HermitSync.Api.Import;

/// <summary>
/// <c>POST /api/imports?name=</c> takes a file as the body and answers 202 with the import's
/// status at once; <c>GET /api/imports/{id}</c> follows it to the end.
/// </summary>
public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var imports = app.MapGroup("/api/imports").WithTags("Import");
        imports.MapPost("/", Start).WithName("StartImport");
        imports.MapGet("/{id:guid}", Get).WithName("GetImport");
        return app;
    }

    private static async Task<Results<Accepted<ImportStatus>, ProblemHttpResult>> Start(
        ImportJobs jobs, IOptions<ImportOptions> options, HttpContext http, string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 255)
        {
            return TypedResults.Problem("Say the file's name in ?name=, such as notes.zip: it tells which kind of export the file is.", statusCode: StatusCodes.Status400BadRequest);
        }
        // An upload may be larger than the API's usual limit, up to what an import takes.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = options.Value.MaxUploadBytes;
        }
        try
        {
            var status = await jobs.StartAsync(http.Request.Body, Path.GetFileName(name), cancellationToken);
            return TypedResults.Accepted($"/api/imports/{status.Id}", status);
        }
        catch (UnsupportedImportException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not a file an import reads.");
        }
        catch (ImportTooLargeException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large to import.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Too large to import.");
        }
    }

    private static Results<Ok<ImportStatus>, ProblemHttpResult> Get(ImportJobs jobs, Guid id) =>
        jobs.Find(id) is { } status
            ? TypedResults.Ok(status)
            : TypedResults.Problem($"There is no import {id}; finished imports are forgotten when the API restarts.", statusCode: StatusCodes.Status404NotFound, title: "Import not found.");
}
