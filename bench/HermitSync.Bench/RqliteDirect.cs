using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HermitSync.Rqlite;

namespace HermitSync.Bench;

/// <summary>
/// rqlite as a program would use it with no Hermit Sync in between: one HTTP POST of
/// parameterized statements to one node, no client library, no failover.
/// </summary>
public sealed class RqliteDirect(HttpClient http, string node) : IDisposable
{
    /// <summary>The node's id, such as <c>a-rqlite-2</c>.</summary>
    public string Node { get; } = node;

    public Task ExecuteAsync(IReadOnlyList<SqlStatement> statements) => PostAsync("/db/execute?transaction", statements);

    /// <summary>rqlite's answer whole: <c>results[0].values</c> holds the rows.</summary>
    public Task<JsonElement> QueryAsync(SqlStatement statement) => PostAsync("/db/query?level=weak", [statement]);

    private async Task<JsonElement> PostAsync(string path, IReadOnlyList<SqlStatement> statements)
    {
        using var content = new ByteArrayContent(RqliteClient.SerializeStatements(statements)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        using var response = await http.PostAsync(path, content);
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
        return answer;
    }

    public void Dispose() => http.Dispose();
}
