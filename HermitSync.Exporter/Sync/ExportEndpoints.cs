using HermitSync.Exporter.Attachments;

namespace HermitSync.Exporter.Sync;

public sealed record ExportNowResult(IReadOnlyList<string> Files);

/// <summary>
/// The exporter's endpoints behind the dashboard's "Export now" command, and the API's word
/// that this site wrote something, to be exported and sealed at once rather than at the next
/// look. Like every endpoint here they take the AppHost's internal credential.
/// </summary>
public static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/sync/export-now", async (ChangeExporter exporter, SyncFolder folder, CancellationToken ct) =>
        {
            if (!exporter.Started)
            {
                return Results.Problem("The exporter has not found its site yet; try again shortly.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            var files = await exporter.ExportNowAsync(ct);
            return Results.Ok(new ExportNowResult(files.Select(f => Path.GetRelativePath(folder.Root, f)).ToArray()));
        });
        app.MapPost("/sync/changes-written", (ChangeExporter exporter, AttachmentSealer sealer) =>
        {
            exporter.Wake();
            sealer.Wake();
            return Results.Accepted();
        });
        return app;
    }
}
