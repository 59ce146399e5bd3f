using System.Diagnostics.Metrics;

namespace HermitSync.Api.Telemetry;

/// <summary>The notes people write, for the dashboard: one count per saved create, edit and delete.</summary>
public static class NotesTelemetry
{
    public const string MeterName = "HermitSync.Notes";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> NotesWritten = Meter.CreateCounter<long>(
        "hermit.notes.written", description: "Notes created, edited, deleted or restored, tagged by operation");

    /// <summary>
    /// Counts the writes of the endpoints it filters by their name, once they succeeded: a
    /// refused, stale or missing note is no write. As a filter, the endpoints stay about notes.
    /// </summary>
    public static async ValueTask<object?> CountWrites(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var operation = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName switch
        {
            "CreateNote" => "create",
            "UpdateNote" => "edit",
            "DeleteNote" => "delete",
            "RestoreNote" => "restore",
            _ => null,
        };
        // Typed results arrive wrapped in a Results<…> union; the status is on the one inside.
        if (operation is not null && (result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 })
        {
            NotesWritten.Add(1, new KeyValuePair<string, object?>("operation", operation));
        }
        return result;
    }
}
