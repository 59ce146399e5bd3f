using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.Web.Import;

/// <summary>What became of an upload: the import it started, or why none started.</summary>
public sealed record ImportStart(ImportStatus? Status, string? Problem);

/// <summary>
/// The API's import endpoints. An upload may take minutes and cannot be sent twice, so this
/// client has no retries and no short timeouts; the API answers as soon as it has the file.
/// </summary>
public sealed class ImportsApi(HttpClient http)
{
    public async Task<ImportStart> StartAsync(Stream file, string fileName, CancellationToken cancellationToken)
    {
        var content = new StreamContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await http.PostAsync($"/api/imports?name={Uri.EscapeDataString(fileName)}", content, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return new ImportStart(await response.Content.ReadFromJsonAsync<ImportStatus>(cancellationToken), null);
        }
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? await response.Content.ReadFromJsonAsync<ProblemDetails>(cancellationToken)
            : null;
        return new ImportStart(null, problem?.Detail ?? $"The import could not start ({(int)response.StatusCode}).");
    }

    /// <summary>An import's status; null once the API has forgotten it.</summary>
    public async Task<ImportStatus?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/imports/{id}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ImportStatus>(cancellationToken);
    }
}
