using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Telemetry;
using HermitSync.Rqlite;

namespace HermitSync.IntegrationTests.Sync;

/// <summary>
/// Two sites in one AppHost, paired by the AppHost over 127.0.0.1, syncing through real
/// Syncthing, and sending their telemetry to an in-test OTLP receiver as to the dashboard.
/// </summary>
public sealed class PairedSitesFixture : StackHolder
{
    public PairedSitesFixture() : this(new OtlpReceiver())
    {
    }

    private PairedSitesFixture(OtlpReceiver telemetry) : base(new StackFixture(sites: 2) { Configure = telemetry.ReceiveFrom }) =>
        Telemetry = telemetry;

    public OtlpReceiver Telemetry { get; }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            Telemetry.Dispose();
        }
    }
}

/// <summary>Two sites in one AppHost that start unpaired, to be paired through the web app.</summary>
public sealed class UnpairedSitesFixture() : StackHolder(new StackFixture(2, null, "--HermitSync:AutoPair=false"));

/// <summary>Two sites on their first start: neither paired nor given a passphrase, as a person finds them.</summary>
public sealed class FirstStartSitesFixture() : StackHolder(new StackFixture(2, null, "--HermitSync:AutoPair=false") { JoinsWithPassphrase = false });

public abstract class StackHolder(StackFixture stack) : IAsyncLifetime
{
    public StackFixture Stack { get; } = stack;

    public Task InitializeAsync() => Stack.InitializeAsync();

    public virtual Task DisposeAsync() => Stack.DisposeAsync();
}

/// <summary>Tests that share one pair of sites; each leaves the pair connected and converged.</summary>
[CollectionDefinition(Name)]
public sealed class PairedSitesCollection : ICollectionFixture<PairedSitesFixture>
{
    public const string Name = "paired sites";
}

/// <summary>Two sites through real Syncthing. Each test ends with both sites' tables identical, and counts every refusal on both.</summary>
[Collection(PairedSitesCollection.Name)]
public sealed class PeerToPeerTests(PairedSitesFixture fixture)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task A_20_MiB_attachment_made_at_A_reaches_B_whole_through_Syncthing()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountsAsync(_stack);
        var content = RandomNumberGenerator.GetBytes(20 * 1024 * 1024);

        var attachment = await Sites.AttachAsync(a, "recording.bin", content);
        await Sites.CreateAsync(a, "with a large file", attachment.Markdown);

        using var served = await Sites.EventuallyAsync(async () => await b.GetAsync(attachment.Link) is { IsSuccessStatusCode: true } ok ? ok : null,
            "the attachment did not reach B", TimeSpan.FromMinutes(2));
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await served.Content.ReadAsByteArrayAsync()));
        Assert.Equal("attachment", served.Content.Headers.ContentDisposition?.DispositionType);
        await Sites.WaitUntilConvergedAsync(_stack);
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }

    [Fact]
    public async Task A_note_made_at_A_reaches_B_an_edit_at_B_reaches_A_and_a_delete_reaches_both()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountsAsync(_stack);

        // Words no other note holds, to find the note by at each site: the search index follows merges too.
        var (written, edited) = ($"written{Guid.NewGuid():N}", $"edited{Guid.NewGuid():N}");
        var note = await Sites.CreateAsync(a, "over the wire", $"from A {written}");
        var atB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B");
        Assert.Equal($"from A {written}", atB.Body);
        Assert.Equal([note.Id], await FoundAsync(b, written));

        await Sites.EditAsync(b, atB, "over the wire", $"edited at B {edited}");
        await Sites.EventuallyAsync(async () => await Sites.TryGetAsync(a, note) is { Body: var body } n && body.StartsWith("edited at B") ? n : null,
            "B's edit did not reach A");
        Assert.Equal([note.Id], await FoundAsync(a, edited));
        Assert.Empty(await FoundAsync(a, written));

        Assert.Equal(HttpStatusCode.NoContent, (await a.DeleteAsync($"/api/notes/{note.Id}")).StatusCode);
        await Sites.EventuallyAsync(async () => await b.GetAsync($"/api/notes/{note.Id}") is { StatusCode: HttpStatusCode.NotFound } ? true : (bool?)null,
            "the delete did not reach B");
        Assert.Empty(await FoundAsync(b, edited));

        await Sites.WaitUntilConvergedAsync(_stack);
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
        foreach (var site in new[] { "a", "b" })
        {
            await _stack.Rqlite(site).ExecuteAsync(NoteSql.CheckSearchIndex);
            Assert.Equal(0, await _stack.Rqlite(site).QueryAsync(OrganizationSql.LabelMismatches));
        }
    }

    private static async Task<Guid[]> FoundAsync(HttpClient site, string word) =>
        [.. (await site.GetFromJsonAsync<NotePage>($"/api/notes?q={word}"))!.Items.Select(n => n.Id)];

    [Fact]
    public async Task Merge_rules_a_tag_added_at_both_sites_is_one_a_move_during_an_edit_is_no_conflict_a_rename_at_both_converges_a_deleted_notebook_loses_no_note()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountsAsync(_stack);
        var tag = $"shared{Guid.NewGuid():N}"[..20];
        var note = await Sites.CreateAsync(a, "organized apart", "before");
        async Task<string> NotebookAsync(string name) =>
            (await (await a.PostAsJsonAsync("/api/notebooks", new { name })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<IdOnly>())!.Id;
        var notebook = await NotebookAsync($"Moved {tag}");
        var renamed = await NotebookAsync($"Renamed {tag}");
        var doomed = await NotebookAsync($"Deleted {tag}");
        var inDoomed = await Sites.CreateAsync(a, "in the deleted notebook", "");
        (await a.PutAsJsonAsync($"/api/notes/{inDoomed.Id}/labels", new { notebookId = doomed })).EnsureSuccessStatusCode();
        var noteAtB = await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B");
        await Sites.EventuallyAsync(async () => (await b.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!.Count(n => n.Id == notebook || n.Id == renamed || n.Id == doomed) == 3 ? true : (bool?)null,
            "the notebooks did not reach B");
        var addedAtB = await Sites.CreateAsync(b, "put in the notebook A deletes", "");

        await Sites.WhileApartAsync(_stack, async () =>
        {
            (await a.PutAsJsonAsync($"/api/notes/{note.Id}/labels", new { notebookId = notebook, tags = new[] { tag.ToUpperInvariant(), "only-at-a" } })).EnsureSuccessStatusCode();
            (await b.PutAsJsonAsync($"/api/notes/{note.Id}/labels", new { tags = new[] { tag }, pinned = true })).EnsureSuccessStatusCode();
            await Sites.EditAsync(b, noteAtB, "organized apart", "edited at B while A moved it");
            (await a.PutAsJsonAsync($"/api/notebooks/{renamed}", new { name = $"Renamed at A {tag}" })).EnsureSuccessStatusCode();
            (await b.PutAsJsonAsync($"/api/notebooks/{renamed}", new { name = $"Renamed at B {tag}" })).EnsureSuccessStatusCode();
            (await a.DeleteAsync($"/api/notebooks/{doomed}")).EnsureSuccessStatusCode();
            (await b.PutAsJsonAsync($"/api/notes/{addedAtB.Id}/labels", new { notebookId = doomed })).EnsureSuccessStatusCode();
        });

        foreach (var site in new[] { a, b })
        {
            var converged = await Sites.GetAsync(site, note);
            Assert.Equal(("edited at B while A moved it", 0), (converged.Body, converged.Conflicts));
            Assert.Equal(notebook, converged.Labels.NotebookId);
            Assert.True(converged.Labels.Pinned);
            // One tag, whichever spelling wrote last, beside the tag only A added.
            Assert.Equal(["only-at-a", tag], converged.Labels.Tags.Select(t => t.ToLowerInvariant()).Order());
            Assert.Equal([note.Id], (await site.GetFromJsonAsync<NotePage>($"/api/notes?q=tag:{tag}"))!.Items.Select(n => n.Id));
            Assert.Equal([note.Id], (await site.GetFromJsonAsync<NotePage>($"/api/notes?q=notebook:%22Moved {tag}%22"))!.Items.Select(n => n.Id));
            // One name, the later rename's, at both; the deleted notebook gone from the list, and neither of its notes lost.
            var notebooks = (await site.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!;
            Assert.Matches($"^Renamed at (A|B) {tag}$", Assert.Single(notebooks, n => n.Id == renamed).Name);
            Assert.DoesNotContain(notebooks, n => n.Id == doomed);
            Assert.Equal(doomed, (await Sites.GetAsync(site, inDoomed)).Labels.NotebookId);
            Assert.Equal(doomed, (await Sites.GetAsync(site, addedAtB)).Labels.NotebookId);
        }
        var names = await Task.WhenAll(new[] { a, b }.Select(async site => (await site.GetFromJsonAsync<NotebookEntry[]>("/api/notebooks"))!.Single(n => n.Id == renamed).Name));
        Assert.Equal(names[0], names[1]);
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }

    private sealed record IdOnly(string Id);

    [Fact]
    public async Task Edits_made_while_apart_converge_and_the_conflict_shows_in_both_web_apps()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountsAsync(_stack);
        var note = await Sites.EditApartAsync(_stack, "offline", "A, on a plane", "B, in a tunnel");

        foreach (var site in new[] { a, b })
        {
            var page = await site.GetStringAsync($"/Notes/Edit/{note.Id}");
            Assert.Contains("1 conflict", page);
            Assert.Contains("A, on a plane", page);
            Assert.Contains("B, in a tunnel", page);
        }
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }

    [Fact]
    public async Task A_file_tampered_in_A_folder_is_rejected_by_B_counted_and_shown_on_its_sync_page()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var note = await Sites.CreateAsync(a, "tamper source", "genuine");
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B");
        var siteA = await Sites.SiteIdAsync(a);
        var folder = Path.Combine(_stack.Site("a").SyncFolder, "sites", siteA);
        var genuine = Sites.ChangeFilesIn(folder).MaxBy(f => Path.GetFileName(f)[2..])!;
        var (rejectedAtA, rejectedAtB) = await Sites.RejectionCountsAsync(_stack);
        var exporterB = _stack.Name("b", SiteResource.Exporter);
        var countedBefore = await RefusedAsForgedAsync(exporterB);

        var tampered = await File.ReadAllBytesAsync(genuine);
        tampered[^3] ^= 0x20;
        // Numbered well past A's files, yet within the jump a site may make.
        var name = $"c-{long.Parse(Path.GetFileNameWithoutExtension(genuine)[2..]) + 100_000:D12}.hsync";
        var planted = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(planted, tampered);
        try
        {
            var rejection = await Sites.EventuallyAsync(async () => (await Sites.StatusAsync(b)).Rejections.FirstOrDefault(r => r.File.EndsWith(name)),
                "B did not reject the tampered file");
            Assert.Equal("BadSignature", rejection.Reason);
            var page = await b.GetStringAsync("/Sync");
            Assert.Contains(name, page);
            Assert.Contains("BadSignature", page);
            Assert.Equal((rejectedAtA, rejectedAtB + 1), await Sites.RejectionCountsAsync(_stack));
            var countedAfter = await Sites.EventuallyAsync(async () => await RefusedAsForgedAsync(exporterB) is var now && now > countedBefore ? now : (double?)null,
                "B's exporter did not count the refusal");
            Assert.Equal(countedBefore + 1, countedAfter);
        }
        finally
        {
            // A's folder is shared by every test of the collection: the planted name must not outlive this one.
            File.Delete(planted);
            var copyAtB = Path.Combine(_stack.Site("b").SyncFolder, "sites", siteA, name);
            await Sites.EventuallyAsync(() => Task.FromResult(File.Exists(copyAtB) ? null : (bool?)true), "the planted file's deletion did not reach B");
        }
        await Sites.WaitUntilConvergedAsync(_stack);
    }

    /// <summary>What the dashboard's <c>hermit.sync.rejections</c> says an exporter refused for a failed authentication, now.</summary>
    private async Task<double> RefusedAsForgedAsync(string exporter) =>
        (await fixture.Telemetry.MetricsAfterAsync(exporter, DateTimeOffset.UtcNow, Patience)).Total("hermit.sync.rejections", ("reason", "BadSignature"));
}
