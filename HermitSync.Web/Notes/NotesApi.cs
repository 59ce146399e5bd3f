using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.Web.Notes;

/// <summary>What became of a write: saved, refused as stale, gone, or invalid.</summary>
public sealed record SaveResult(Note? Note, Note? Current, IReadOnlyDictionary<string, string[]> Errors, bool NotFound)
{
    public bool Saved => Note is not null;

    public bool Stale => Current is not null;
}

/// <summary>A page of search results, or, when the search could not be read, why (and no results).</summary>
public sealed record SearchOutcome(NotePage Page, string? Problem);

/// <summary>The API's notes endpoints, reached through service discovery.</summary>
public sealed class NotesApi(HttpClient http)
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    /// <summary>A page of notes that match <paramref name="query"/>, or what is wrong with the query.</summary>
    public async Task<SearchOutcome> SearchAsync(string? query, string? cursor, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/notes{Query(("q", query), ("cursor", cursor))}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellationToken);
            return new SearchOutcome(new NotePage([], null), problem?.Detail ?? "This search cannot be run.");
        }
        response.EnsureSuccessStatusCode();
        return new SearchOutcome(await response.Content.ReadFromJsonAsync<NotePage>(cancellationToken) ?? throw new InvalidOperationException("The API returned no page."), null);
    }

    /// <summary>A page of the Trash, the latest deleted first.</summary>
    public async Task<TrashPage> TrashAsync(string? cursor, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<TrashPage>($"/api/trash{Query(("cursor", cursor))}", cancellationToken)
            ?? throw new InvalidOperationException("The API returned no page.");

    public Task<Note?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        GetOrNullAsync<Note>($"/api/notes/{id}", cancellationToken);

    /// <summary>The live notes with this title, case aside.</summary>
    public async Task<IReadOnlyList<NoteSummary>> TitledAsync(string title, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<NoteSummary[]>($"/api/notes/titled{Query(("title", title))}", cancellationToken) ?? [];

    /// <summary>The notes that link to this one, the latest edited first.</summary>
    public async Task<IReadOnlyList<NoteSummary>> BacklinksAsync(Guid id, CancellationToken cancellationToken) =>
        await GetOrNullAsync<NoteSummary[]>($"/api/notes/{id}/backlinks", cancellationToken) ?? [];

    public async Task<IReadOnlyList<NoteVersion>> ConflictsAsync(Guid id, CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<NoteVersion[]>($"/api/notes/{id}/conflicts", cancellationToken) ?? [];

    /// <summary>A page of a note's history, newest first, deleted notes' too; null when there is no such note.</summary>
    public Task<NoteHistoryPage?> HistoryAsync(Guid id, string? cursor, int? limit, CancellationToken cancellationToken) =>
        GetOrNullAsync<NoteHistoryPage>($"/api/notes/{id}/history{Query(("cursor", cursor), ("limit", limit?.ToString(CultureInfo.InvariantCulture)))}", cancellationToken);

    /// <summary>One revision beside the note as it stands; null when the note has no such revision.</summary>
    public Task<OpenedRevision?> OpenRevisionAsync(Guid id, string revision, CancellationToken cancellationToken) =>
        GetOrNullAsync<OpenedRevision>($"/api/notes/{id}/revisions/{Uri.EscapeDataString(revision)}", cancellationToken);

    public async Task<SaveResult> CreateAsync(Guid id, string title, string body, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/notes", new { id, title, body }, cancellationToken);
        return await ReadSaveResultAsync(response, cancellationToken);
    }

    /// <summary>Saves an edit made from <paramref name="revision"/>; <paramref name="resolves"/> names the conflicting versions it settles.</summary>
    public async Task<SaveResult> UpdateAsync(Guid id, string revision, string title, string body, CancellationToken cancellationToken, IReadOnlyList<string>? resolves = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{id}") { Content = JsonContent.Create(new { title, body, resolves }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{revision}\""));
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadSaveResultAsync(response, cancellationToken);
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
        return await ReadSaveResultAsync(response, cancellationToken);
    }

    /// <summary>
    /// Restores revision <paramref name="revision"/> (or, without one, the note as it was deleted)
    /// as a new revision on top of <paramref name="basedOn"/>, the current revision the page showed.
    /// </summary>
    public async Task<SaveResult> RestoreAsync(Guid id, string basedOn, string? revision, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/notes/{id}/restore") { Content = JsonContent.Create(new { revision }) };
        request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{basedOn}\""));
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadSaveResultAsync(response, cancellationToken);
    }

    private async Task<T?> GetOrNullAsync<T>(string url, CancellationToken cancellationToken) where T : class
    {
        using var response = await http.GetAsync(url, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<T>(cancellationToken);
    }

    /// <summary>A query string of the parameters that have a value.</summary>
    private static QueryString Query(params (string Name, string? Value)[] parameters) =>
        QueryString.Create(parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => KeyValuePair.Create(p.Name, p.Value)));

    private static async Task<SaveResult> ReadSaveResultAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK or HttpStatusCode.Created:
                return new SaveResult(await response.Content.ReadFromJsonAsync<Note>(cancellationToken), null, NoErrors, NotFound: false);
            case HttpStatusCode.NotFound:
                return new SaveResult(null, null, NoErrors, NotFound: true);
            case HttpStatusCode.PreconditionFailed:
                // Someone saved first. The refusal carries the note as it stands, even one back in the Trash, so the page can show it.
                var stale = await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellationToken);
                var current = stale?.Extensions.TryGetValue("current", out var value) == true && value is JsonElement json
                    ? json.Deserialize<Note>(JsonSerializerOptions.Web)
                    : null;
                return new SaveResult(null, current ?? throw new HttpRequestException("The API's 412 carried no current note."), NoErrors, NotFound: false);
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
