namespace HermitSync.Exporter.Sync;

public sealed record ExportNowResult(IReadOnlyList<string> Files);

/// <summary>
/// The exporter's endpoint behind the dashboard's "Export now" command. Like every endpoint
/// here it takes the AppHost's internal credential, which the command sends.
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
        return app;
    }
}
