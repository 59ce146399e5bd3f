using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>What the sync tests do to a site through its web app's /api.</summary>
internal static class Sites
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Guid Id(JsonElement note) => note.GetProperty("id").GetGuid();

    public static async Task<JsonElement> CreateAsync(HttpClient site, string title, string body)
    {
        using var created = await site.PostAsJsonAsync("/api/notes", new { title, body });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return await created.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static async Task EditAsync(HttpClient site, JsonElement note, string title, string body)
    {
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{Id(note)}") { Content = JsonContent.Create(new { title, body }) };
        edit.Headers.IfMatch.ParseAdd($"\"{note.GetProperty("revision").GetString()}\"");
        using var response = await site.SendAsync(edit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task<JsonElement> GetAsync(HttpClient site, JsonElement note) =>
        await site.GetFromJsonAsync<JsonElement>($"/api/notes/{Id(note)}");

    public static async Task<JsonElement?> TryGetAsync(HttpClient site, JsonElement note)
    {
        using var response = await site.GetAsync($"/api/notes/{Id(note)}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    public static async Task<bool> PeerConnectedAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("connected").GetBoolean());

    /// <summary>Every note row of a site, as text, in id order: two sites have converged when these are equal.</summary>
    public static async Task<string[]> NotesAsync(StackFixture stack, string site = "") =>
        (await stack.Rqlite(site).QueryAsync(SqlStatement.Of("SELECT id, title, body, version, hlc, site_id, deleted, conflicts FROM notes ORDER BY id"), ReadConsistency.Strong))
        .Rows.Select(r => string.Join("|", Enumerable.Range(0, r.FieldCount).Select(r.GetString))).ToArray();

    /// <summary>How many revisions a site holds: equal at converged sites only if nothing was applied twice or in part.</summary>
    public static async Task<long> RevisionCountAsync(StackFixture stack, string site = "") =>
        (await stack.Rqlite(site).QueryAsync(SqlStatement.Of("SELECT count(*) FROM note_revisions"), ReadConsistency.Strong)).Rows[0].GetInt64(0);

    /// <summary>Waits until the site's exporter has written every revision the site made.</summary>
    public static async Task WaitForExportAsync(StackFixture stack, string site = "")
    {
        var rqlite = stack.Rqlite(site);
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var row = (await rqlite.QueryAsync(SqlStatement.Of(
                "SELECT (SELECT coalesce(max(seq), 0) FROM note_revisions WHERE site_id = (SELECT site_id FROM site)), (SELECT coalesce(max(through_seq), 0) FROM sync_exports)"),
                ReadConsistency.Strong)).Rows[0];
            if (row.GetInt64(0) <= row.GetInt64(1))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"the exporter did not export within {Patience.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }

    public static async Task<string> SiteIdAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<JsonElement>("/api/sync/status")).GetProperty("siteId").GetString()!;

    public static async Task<int> RejectionCountAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<JsonElement>("/api/sync/status")).GetProperty("rejections").GetArrayLength();

    /// <summary>
    /// Makes a note at A, then edits it at A and at B while the two are cut off from each other,
    /// and lets them meet again: both sites end on one winner with one conflict kept.
    /// </summary>
    public static async Task<JsonElement> EditApartAsync(StackFixture stack, string title, string atA, string atB)
    {
        using var a = stack.WebBrowserClient("a");
        using var b = stack.WebBrowserClient("b");
        using var syncthingA = stack.SyncthingClient("a");
        var note = await CreateAsync(a, title, "before");
        var noteAtB = await EventuallyAsync(() => TryGetAsync(b, note), "the note did not reach B");
        var deviceB = (await b.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).GetProperty("deviceId").GetString();

        // Pausing the peer on one side closes the connection both ways.
        (await syncthingA.PostAsync($"/rest/system/pause?device={deviceB}", null)).EnsureSuccessStatusCode();
        try
        {
            await EventuallyAsync(async () => await PeerConnectedAsync(b) ? null : (bool?)true, "B still sees A connected");
            await EditAsync(a, note, title, atA);
            await EditAsync(b, noteAtB, title, atB);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(atB, (await TryGetAsync(b, note))!.Value.GetProperty("body").GetString());
        }
        finally
        {
            (await syncthingA.PostAsync($"/rest/system/resume?device={deviceB}", null)).EnsureSuccessStatusCode();
        }

        await EventuallyAsync(async () =>
        {
            var (left, right) = (await NotesAsync(stack, "a"), await NotesAsync(stack, "b"));
            return left.SequenceEqual(right) && left.Any(row => row.StartsWith(Id(note).ToString()) && row.EndsWith("|0|1")) ? true : (bool?)null;
        }, "the sites did not converge on one version with one conflict");
        return note;
    }

    /// <summary>Polls until <paramref name="probe"/> has a value, for up to 30 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string failure, TimeSpan? patience = null) where T : struct
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{failure} within {(patience ?? Patience).TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
