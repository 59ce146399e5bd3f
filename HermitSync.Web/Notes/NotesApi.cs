using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.Web.Notes;

/// <summary>What became of a write: saved, refused as stale, gone, or invalid.</summary>
public sealed record SaveResult(Note? Note, Note? Current, IReadOnlyDictionary<string, string[]> Errors, bool NotFound)
{
    public bool Saved => Note is not null;

    public bool Stale => Current is not null;
}

/// <summary>The API's notes endpoints, reached through service discovery.</summary>
public sealed class NotesApi(HttpClient http)
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    public async Task<NotePage> SearchAsync(string? query, string? cursor, CancellationToken cancellationToken)
    {
        var url = QueryString.Create(new Dictionary<string, string?> { ["q"] = query, ["cursor"] = cursor }.Where(p => !string.IsNullOrEmpty(p.Value)));
        return await http.GetFromJsonAsync<NotePage>($"/api/notes{url}", cancellationToken)
            ?? throw new InvalidOperationException("The API returned no page.");
    }

    public async Task<Note?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/notes/{id}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<Note>(cancellationToken);
    }

    public async Task<IReadOnlyList<NoteConflict>> ConflictsAsync(Guid id, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<NoteConflict[]>($"/api/notes/{id}/conflicts", cancellationToken) ?? [];

    public async Task<IReadOnlyList<NoteHistoryEntry>> HistoryAsync(Guid id, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<NoteHistoryEntry[]>($"/api/notes/{id}/history", cancellationToken) ?? [];

    public async Task<SaveResult> CreateAsync(Guid id, string title, string body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/notes", new { id, title, body }, cancellationToken);
        return await ReadSaveResultAsync(id, response, cancellationToken);
    }

    /// <summary>Saves an edit made from <paramref name="revision"/>; <paramref name="resolves"/> names the conflicting versions it settles.</summary>
    public async Task<SaveResult> UpdateAsync(Guid id, string revision, string title, string body, CancellationToken cancellationToken, IReadOnlyList<string>? resolves = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{id}") { Content = JsonContent.Create(new { title, body, resolves }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{revision}\""));
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadSaveResultAsync(id, response, cancellationToken);
    }

    public async Task<SaveResult> DeleteAsync(Guid id, string revision, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/notes/{id}");
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{revision}\""));
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return new SaveResult(null, null, NoErrors, NotFound: false);
        }
        return await ReadSaveResultAsync(id, response, cancellationToken);
    }

    private async Task<SaveResult> ReadSaveResultAsync(Guid id, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK or HttpStatusCode.Created:
                return new SaveResult(await response.Content.ReadFromJsonAsync<Note>(cancellationToken), null, NoErrors, NotFound: false);
            case HttpStatusCode.NotFound:
                return new SaveResult(null, null, NoErrors, NotFound: true);
            case HttpStatusCode.PreconditionFailed:
                // Someone saved first: fetch what is there now so the page can show it.
                var current = await GetAsync(id, cancellationToken);
                return current is null
                    ? new SaveResult(null, null, NoErrors, NotFound: true)
                    : new SaveResult(null, current, NoErrors, NotFound: false);
            // 503: the cluster has no leader; the page keeps the user's text and says so.
            case HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable:
                var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>(cancellationToken);
                IReadOnlyDictionary<string, string[]> errors = problem?.Errors is { Count: > 0 } fieldErrors
                    ? fieldErrors.AsReadOnly()
                    : new Dictionary<string, string[]> { [""] = [problem?.Detail ?? problem?.Title ?? "The API refused the note."] };
                return new SaveResult(null, null, errors, NotFound: false);
            default:
                response.EnsureSuccessStatusCode();
                throw new HttpRequestException($"The API answered {(int)response.StatusCode}.");
        }
    }
}
