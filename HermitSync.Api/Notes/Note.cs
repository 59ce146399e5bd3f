namespace HermitSync.Api.Notes;

public sealed record Note(Guid Id, string Title, string Body, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string ETag => $"\"{Version}\"";
}

/// <summary>A list entry: the body is cut to an excerpt so a page of results stays small.</summary>
public sealed record NoteSummary(Guid Id, string Title, string Excerpt, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record NotePage(IReadOnlyList<NoteSummary> Items, string? NextCursor);

/// <summary>A new note. A client may choose the id, which makes retrying the create safe.</summary>
public sealed record CreateNoteRequest(string? Title, string? Body, Guid? Id = null);

public sealed record UpdateNoteRequest(string? Title, string? Body);
