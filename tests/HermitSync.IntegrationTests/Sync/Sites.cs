using System.Net;
using System.Net.Http.Json;
using HermitSync.Exporter.Syncthing;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>What the sync tests do to a site through its web app's /api, and what they read from its database.</summary>
internal static class Sites
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<Note> CreateAsync(HttpClient site, string title, string body)
    {
        using var created = await site.PostAsJsonAsync("/api/notes", new { title, body });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<Note>())!;
    }

    /// <summary>Attaches a file as the editor does: its bytes as the body, its name in the query.</summary>
    public static async Task<Attachment> AttachAsync(HttpClient site, string name, byte[] content)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new("application/octet-stream");
        using var added = await site.PostAsync($"/api/attachments?name={Uri.EscapeDataString(name)}", body);
        Assert.True(added.StatusCode == HttpStatusCode.Created, $"attaching {name}: {(int)added.StatusCode} {await added.Content.ReadAsStringAsync()}");
        return (await added.Content.ReadFromJsonAsync<Attachment>())!;
    }

    /// <summary>A site folder's change files and snapshots, without its attachments.</summary>
    public static string[] ChangeFilesIn(string folder) =>
        Directory.GetFiles(folder, "?-*.hsync").Where(f => Path.GetFileName(f)[0] is 'c' or 's').ToArray();

    public static async Task<Note> EditAsync(HttpClient site, Note note, string title, string body)
    {
        using var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/notes/{note.Id}") { Content = JsonContent.Create(new { title, body }) };
        edit.Headers.IfMatch.ParseAdd(note.ETag);
        using var response = await site.SendAsync(edit);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Note>())!;
    }

    public static async Task<Note> GetAsync(HttpClient site, Note note) =>
        (await site.GetFromJsonAsync<Note>($"/api/notes/{note.Id}"))!;

    public static async Task<Note?> TryGetAsync(HttpClient site, Note note)
    {
        using var response = await site.GetAsync($"/api/notes/{note.Id}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Note>() : null;
    }

    public static async Task<IReadOnlyList<NoteVersion>> ConflictsAsync(HttpClient site, Note note) =>
        (await site.GetFromJsonAsync<NoteVersion[]>($"/api/notes/{note.Id}/conflicts"))!;

    public static async Task<SyncStatus> StatusAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<SyncStatus>("/api/sync/status"))!;

    public static async Task<bool> PeerConnectedAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<PairingStatus>("/api/sync/pairing"))!.Peers.Any(p => p.Connected);

    /// <summary>The site's pairing, trust and passphrase, as its Sync page reads them.</summary>
    public static async Task<PairingStatus> PairingAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<PairingStatus>("/api/sync/pairing"))!;

    public static async Task<string> DeviceIdAsync(HttpClient site) =>
        (await site.GetFromJsonAsync<PairingStatus>("/api/sync/pairing"))!.DeviceId;

    /// <summary>Every note row of a site, in id order: two sites have converged when these are equal.</summary>
    public static Task<IReadOnlyList<NoteRow>> NotesAsync(StackFixture stack, string site = "") => NotesAsync(stack.Rqlite(site));

    /// <inheritdoc cref="NotesAsync(StackFixture, string)"/>
    public static Task<IReadOnlyList<NoteRow>> NotesAsync(RqliteClient site) => site.QueryAsync(NoteSql.All, ReadConsistency.Strong);

    /// <summary>Every property register a site holds, with its winning write.</summary>
    public static Task<IReadOnlyList<PropertyChange>> PropertiesAsync(StackFixture stack, string site = "") => PropertiesAsync(stack.Rqlite(site));

    /// <inheritdoc cref="PropertiesAsync(StackFixture, string)"/>
    public static Task<IReadOnlyList<PropertyChange>> PropertiesAsync(RqliteClient site) => site.QueryAsync(PropertySql.All, ReadConsistency.Strong);

    /// <summary>Every revision a site holds: equal at converged sites only if nothing was applied twice or in part.</summary>
    public static Task<IReadOnlyList<RevisionKey>> RevisionsAsync(StackFixture stack, string site = "") => RevisionsAsync(stack.Rqlite(site));

    /// <inheritdoc cref="RevisionsAsync(StackFixture, string)"/>
    public static Task<IReadOnlyList<RevisionKey>> RevisionsAsync(RqliteClient site) => site.QueryAsync(RevisionSql.Keys, ReadConsistency.Strong);

    /// <summary>Waits until the site's exporter has written every revision and property write the site made.</summary>
    public static async Task WaitForExportAsync(StackFixture stack, string site = "")
    {
        var rqlite = stack.Rqlite(site);
        var siteId = (await SiteIdentity.ReadAsync(rqlite, CancellationToken.None))!.SiteId;
        await EventuallyAsync(
            async () => (await rqlite.QueryAsync(SyncLedgerSql.Cursor, ReadConsistency.Strong)).Position.Covers(await rqlite.QueryAsync(SyncLedgerSql.NewestOwn(siteId), ReadConsistency.Strong))
                ? true : (bool?)null,
            "the exporter did not export");
    }

    public static async Task<string> SiteIdAsync(HttpClient site) => (await StatusAsync(site)).SiteId;

    /// <summary>How many files a site has ever refused, from its ledger: the Sync page lists only the latest.</summary>
    public static Task<long> RejectionCountAsync(StackFixture stack, string site = "") =>
        stack.Rqlite(site).QueryAsync(SyncLedgerSql.RejectionCount, ReadConsistency.Strong);

    /// <summary>How many files each of two paired sites has refused so far.</summary>
    public static async Task<(long A, long B)> RejectionCountsAsync(StackFixture paired) =>
        (await RejectionCountAsync(paired, "a"), await RejectionCountAsync(paired, "b"));

    /// <summary>
    /// Waits until two sites hold the same <c>notes</c> rows, the same set of revisions (note,
    /// HLC, site) and the same property registers: nothing lost, and nothing applied twice or in
    /// part. The failure names what differs.
    /// A cluster between leaders, as after a heavy load on a busy machine, is waited for too: what
    /// is asked here is whether the sites agree, not whether they answer at every moment.
    /// </summary>
    public static Task WaitUntilConvergedAsync((StackFixture Stack, string Site) left, (StackFixture Stack, string Site) right, TimeSpan? patience = null) =>
        WaitUntilConvergedAsync(left.Stack.Rqlite(left.Site), right.Stack.Rqlite(right.Site), patience);

    /// <inheritdoc cref="WaitUntilConvergedAsync((StackFixture, string), (StackFixture, string), TimeSpan?)"/>
    public static async Task WaitUntilConvergedAsync(RqliteClient left, RqliteClient right, TimeSpan? patience = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (true)
        {
            IReadOnlyList<NoteRow> notesLeft, notesRight;
            HashSet<RevisionKey> revisionsLeft, revisionsRight;
            IReadOnlyList<PropertyChange> propertiesLeft, propertiesRight;
            try
            {
                (notesLeft, notesRight) = (await NotesAsync(left), await NotesAsync(right));
                (revisionsLeft, revisionsRight) = ((await RevisionsAsync(left)).ToHashSet(), (await RevisionsAsync(right)).ToHashSet());
                (propertiesLeft, propertiesRight) = (await PropertiesAsync(left), await PropertiesAsync(right));
            }
            catch (RqliteUnavailableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(500);
                continue;
            }
            if (notesLeft.SequenceEqual(notesRight) && revisionsLeft.SetEquals(revisionsRight) && propertiesLeft.SequenceEqual(propertiesRight))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"""
                the sites did not converge within {(patience ?? Patience).TotalSeconds:0} s
                rows only at the first: {Describe(notesLeft.Except(notesRight))}
                rows only at the second: {Describe(notesRight.Except(notesLeft))}
                revisions only at the first: {revisionsLeft.Except(revisionsRight).Count()}, e.g. {string.Join("; ", revisionsLeft.Except(revisionsRight).Take(5))}
                revisions only at the second: {revisionsRight.Except(revisionsLeft).Count()}, e.g. {string.Join("; ", revisionsRight.Except(revisionsLeft).Take(5))}
                property registers only at the first: {string.Join("; ", propertiesLeft.Except(propertiesRight).Take(5))}
                property registers only at the second: {string.Join("; ", propertiesRight.Except(propertiesLeft).Take(5))}
                """);
            await Task.Delay(100);
        }
    }

    /// <summary>A few rows, each by its id and winning revision: a body may be large.</summary>
    private static string Describe(IEnumerable<NoteRow> rows) =>
        string.Join("; ", rows.Take(5).Select(row => $"{row.Id} v{row.Version} {new RevisionId(row.Hlc, row.SiteId)}{(row.Deleted ? " deleted" : "")} conflicts {row.Conflicts}"));

    /// <inheritdoc cref="WaitUntilConvergedAsync((StackFixture, string), (StackFixture, string), TimeSpan?)"/>
    public static Task WaitUntilConvergedAsync(StackFixture paired, TimeSpan? patience = null) =>
        WaitUntilConvergedAsync((paired, "a"), (paired, "b"), patience);

    /// <summary>
    /// Makes a note at A, then edits it at A and at B while the two are cut off from each other,
    /// and lets them meet again: both sites end on one winner with one conflict kept.
    /// </summary>
    public static async Task<Note> EditApartAsync(StackFixture stack, string title, string atA, string atB)
    {
        using var a = stack.WebBrowserClient("a");
        using var b = stack.WebBrowserClient("b");
        var note = await CreateAsync(a, title, "before");
        var noteAtB = await EventuallyAsync(() => TryGetAsync(b, note), "the note did not reach B");

        await WhileApartAsync(stack, async () =>
        {
            await EditAsync(a, note, title, atA);
            await EditAsync(b, noteAtB, title, atB);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(atB, (await TryGetAsync(b, note))!.Body);
        });

        // Equal sets hold both edits, so one of them wins and the other is kept as the conflict.
        Assert.Equal(1, (await GetAsync(a, note)).Conflicts);
        return note;
    }

    /// <summary>Cuts A and B off from each other, runs <paramref name="apart"/>, joins them again and waits until they converge.</summary>
    public static async Task WhileApartAsync(StackFixture stack, Func<Task> apart)
    {
        using var b = stack.WebBrowserClient("b");
        using var syncthingA = stack.SyncthingClient("a");
        var deviceB = await DeviceIdAsync(b);

        // Pausing the peer on one side closes the connection both ways.
        (await syncthingA.PostAsync($"/rest/system/pause?device={deviceB}", null)).EnsureSuccessStatusCode();
        try
        {
            await EventuallyAsync(async () => await PeerConnectedAsync(b) ? null : (bool?)true, "B still sees A connected");
            await apart();
        }
        finally
        {
            (await syncthingA.PostAsync($"/rest/system/resume?device={deviceB}", null)).EnsureSuccessStatusCode();
        }
        await WaitUntilConvergedAsync(stack);
    }

    /// <summary>Polls until <paramref name="probe"/> has a value, for up to 30 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string failure, TimeSpan? patience = null) where T : struct =>
        (await EventuallyAsync(async () => await probe() is { } value ? new Box<T>(value) : null, failure, patience)).Value;

    /// <inheritdoc cref="EventuallyAsync{T}(Func{Task{T?}}, string, TimeSpan?)"/>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string failure, TimeSpan? patience = null) where T : class
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

    private sealed record Box<T>(T Value);
}
