using System.Net;

namespace HermitSync.Exporter.Sync;

public sealed record ExportNowResult(IReadOnlyList<string> Files);

/// <summary>The exporter's endpoint behind the dashboard's "Export now" command.</summary>
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
        })
        .AddEndpointFilter(LoopbackOnly);
        return app;
    }

    /// <summary>Only the AppHost on this machine may trigger exports, whatever address the exporter ends up bound to.</summary>
    private static async ValueTask<object?> LoopbackOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)
            ? await next(context)
            : Results.Problem("Only this machine may ask for an export.", statusCode: StatusCodes.Status403Forbidden);
}
