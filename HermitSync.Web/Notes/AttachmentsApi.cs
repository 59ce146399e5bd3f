using System.Net.Http.Json;

namespace HermitSync.Web.Notes;

/// <summary>What the API knows of the attachments a note links to.</summary>
public sealed class AttachmentsApi(HttpClient http)
{
    public async Task<AttachmentLookup> LookupAsync(IReadOnlyList<string> hashes, CancellationToken cancellationToken)
    {
        var query = string.Join('&', hashes.Select(h => "hash=" + h));
        using var response = await http.GetAsync($"/api/attachments?{query}", cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<AttachmentLookup>(cancellationToken) ?? throw new InvalidOperationException("The API returned no lookup.");
    }
}
