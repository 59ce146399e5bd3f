using System.Net.Http.Json;
using System.Text.Json;

namespace HermitSync.Bench;

/// <summary>
/// rqlite as a program would use it with no Hermit Sync in between: one HTTP POST of
/// parameterized statements to the leader, no client library, no failover. Each statement is
/// an array: the SQL, then its positional values or one object of named values.
/// </summary>
public sealed class RqliteDirect(HttpClient http, string node) : IDisposable
{
    /// <summary>The leader's node id, such as <c>a-rqlite-2</c>.</summary>
    public string Node { get; } = node;

    public Task ExecuteAsync(params object?[][] statements) => PostAsync("/db/execute?transaction", statements);

    public Task QueryAsync(params object?[][] statements) => PostAsync("/db/query?level=weak", statements);

    private async Task PostAsync(string path, object?[][] statements)
    {
        using var response = await http.PostAsJsonAsync(path, statements);
        response.EnsureSuccessStatusCode();
        // rqlite answers 200 with the error inside results, so an anchor that failed would look fast.
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        foreach (var result in answer.GetProperty("results").EnumerateArray())
        {
            if (result.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"rqlite: {error.GetString()}");
            }
        }
    }

    public void Dispose() => http.Dispose();
}
