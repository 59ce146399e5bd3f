using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.Web.Notes;

/// <summary>The API's notebooks, tags and labels endpoints, reached through service discovery.</summary>
public sealed class OrganizationApi(HttpClient http)
{
    public async Task<IReadOnlyList<NotebookEntry>> NotebooksAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks", cancellationToken) ?? [];

    public async Task<IReadOnlyList<TagCount>> TagsAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<TagCount[]>("/api/tags", cancellationToken) ?? [];

    /// <summary>Sets a note's notebook, pin and tags; returns why the API refused, or null.</summary>
    public async Task<string?> SetLabelsAsync(Guid noteId, string notebookId, bool pinned, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"/api/notes/{noteId}/labels", new { notebookId, pinned, tags }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    /// <summary>Pins or unpins a note, leaving its other labels alone; returns why the API refused, or null.</summary>
    public async Task<string?> PinAsync(Guid noteId, bool pinned, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"/api/notes/{noteId}/labels", new { pinned }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    public async Task<string?> CreateNotebookAsync(string name, string? parentId, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/notebooks", new { name, parentId }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    public async Task<string?> UpdateNotebookAsync(string id, string name, string parentId, CancellationToken cancellationToken)
    {
        using var response = await http.PutAsJsonAsync($"/api/notebooks/{id}", new { name, parentId }, cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    public async Task<string?> DeleteNotebookAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await http.DeleteAsync($"/api/notebooks/{id}", cancellationToken);
        return await ProblemAsync(response, cancellationToken);
    }

    /// <summary>Null for a success; the API's reason for a refusal; anything else throws.</summary>
    private static async Task<string?> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.ServiceUnavailable)
        {
            var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellationToken);
            return problem?.Detail ?? problem?.Title ?? "The API refused it.";
        }
        response.EnsureSuccessStatusCode();
        return null;
    }
}
