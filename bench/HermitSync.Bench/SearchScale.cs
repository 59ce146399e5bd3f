using System.Diagnostics;
using System.Text;
using HermitSync.AppHost.Site;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// Search, list pages (latest first, and filtered by a tag and by a notebook), the notebooks
/// and tags beside them, opening a note and the web app's two pages, at 100,000 notes of
/// <see cref="ScaleCorpus"/>. It is merged into site A's cluster as revisions and property
/// writes of a site A never exports, so it stays at A; then 10,000 notes newer than all of it,
/// in a notebook of their own, as an import adds them.
/// Each search is timed through the API beside the same query sent straight to A's leader, and
/// beside the LIKE scan search used to be.
/// </summary>
public static class SearchScale
{
    private const string Site = "a";
    private const int Notes = ScaleCorpus.Notes;
    private const string RareWord = ScaleCorpus.RareWord;
    private static readonly string[] Syllables = ScaleCorpus.Syllables;

    /// <summary>Notes an import adds after the corpus, newer than all of it, in a notebook of their own.</summary>
    private const int Imported = 10_000;

    /// <summary>Notes per transaction: about 500 revisions.</summary>
    private const int Batch = 250;

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Search, list and pages at {Notes:N0} notes in site A");
        var corpus = new ScaleCorpus(seed: 17);
        var rqlite = stack.Rqlite(Site);
        var loading = Stopwatch.StartNew();
        var peer = SiteIds.New();
        long revisions = 0, bytes = 0, properties = 0;
        foreach (var batch in corpus.Batches(peer, Batch))
        {
            await rqlite.ExecuteAsync(SyncLedgerSql.Merge(batch), idempotent: true);
            revisions += batch.Revisions.Length;
            properties += batch.Properties.Length;
            bytes += batch.Revisions.Sum(r => (long)r.Body.Length);
        }
        loading.Stop();
        foreach (var batch in corpus.Imported(peer, Imported, Batch))
        {
            await rqlite.ExecuteAsync(SyncLedgerSql.Merge(batch), idempotent: true);
        }

        using var api = stack.OwnHttp(Site, SiteResource.Api);
        using var web = stack.OwnHttp(Site, SiteResource.Web);
        using var leader = await stack.RqliteLeaderAsync(Site);
        var searches = new (string Name, string Text)[]
        {
            ("a rare word", RareWord),
            ("a common word", corpus.CommonWord),
            ("a two-letter prefix", Syllables[3][..2]),
        };
        foreach (var (name, text) in searches)
        {
            var query = Parsed(text);
            var found = await rqlite.QueryAsync(NoteSql.Search(query, after: null, limit: 50), ReadConsistency.Weak);
            var sample = await Load.CompareAsync(clients: 1, perClient: 40,
                _ => GetAsync(api, $"/api/notes?q={Uri.EscapeDataString(text)}&limit=50"),
                _ => leader.QueryAsync(NoteSql.Search(query, after: null, limit: 50).Statement),
                _ => leader.QueryAsync(LikeScan(text)));
            var p50 = sample[0].Latency(50);
            report.Add(new Figure($"search at {Notes / 1000:N0}k notes, {name} (q={text}, {found.Items.Count} on page 1), p50", "ms", p50,
                new Anchor("the same FTS query, direct rqlite", sample[1].Latency(50)), "≤ 20 ms and ratio ≤ 1.3", p50 <= 20 && p50 / sample[1].Latency(50) <= 1.3));
            report.Add(new Figure($"search at {Notes / 1000:N0}k notes, {name}, p99", "ms", sample[0].Latency(99),
                new Anchor("the same FTS query, direct rqlite", sample[1].Latency(99)), "report", null));
            report.Add(new Figure($"search at {Notes / 1000:N0}k notes, {name}: the old LIKE scan, direct rqlite, p50", "ms", sample[2].Latency(50),
                new Anchor("the FTS query, direct rqlite", sample[1].Latency(50)), "report", null));
        }

        var ids = await rqlite.QueryAsync(NoteSql.SampleIds(200));
        var tag = ScaleCorpus.MidTag;
        var notebook = ScaleCorpus.NotebookName(2);
        var tagged = await rqlite.QueryAsync(OrganizationSql.TaggedNotes(tag), ReadConsistency.Weak);
        var rareTagged = await rqlite.QueryAsync(OrganizationSql.TaggedNotes(ScaleCorpus.RareTag), ReadConsistency.Weak);
        var reads = await Load.CompareAsync(clients: 1, perClient: 100,
            _ => GetAsync(api, "/api/notes?limit=50"),
            _ => GetAsync(api, $"/api/notes?q=tag:{tag}&limit=50"),
            _ => GetAsync(api, $"/api/notes?q=tag:{ScaleCorpus.RareTag}&limit=50"),
            _ => GetAsync(api, $"/api/notes?q={Uri.EscapeDataString($"notebook:\"{notebook}\"")}&limit=50"),
            number => GetAsync(api, $"/api/notes/{ids[number % ids.Count]}"),
            _ => GetAsync(api, "/api/notebooks"),
            _ => GetAsync(api, "/api/tags"),
            _ => GetAsync(web, $"/?q={RareWord}"),
            number => GetAsync(web, $"/Notes/{ids[number % ids.Count]}"));
        report.Add(new Figure($"list page at {Notes / 1000:N0}k notes (50, latest first), p50", "ms", reads[0].Latency(50), null, "≤ 10 ms", reads[0].Latency(50) <= 10));
        report.Add(new Figure($"list page filtered by a tag on {tagged:N0} notes, p50", "ms", reads[1].Latency(50), null, "≤ 10 ms", reads[1].Latency(50) <= 10));
        report.Add(new Figure($"list page filtered by a tag on {rareTagged:N0} notes, p50", "ms", reads[2].Latency(50), null, "≤ 10 ms", reads[2].Latency(50) <= 10));
        report.Add(new Figure($"list page filtered by a notebook with its notebooks, under {Imported:N0} newer notes of another, p50", "ms", reads[3].Latency(50), null, "≤ 10 ms", reads[3].Latency(50) <= 10));
        report.Add(new Figure($"open a note at {Notes / 1000:N0}k notes, p50", "ms", reads[4].Latency(50), null, "≤ 10 ms", reads[4].Latency(50) <= 10));
        report.Add(new Figure($"the notebooks with their counts ({ScaleCorpus.NotebookCount}), p50", "ms", reads[5].Latency(50), null, "report", null));
        report.Add(new Figure($"the tags with their counts ({ScaleCorpus.TagCount}), p50", "ms", reads[6].Latency(50), null, "report", null));
        report.Add(new Figure($"notes page with a search, rendered by the web app, p50", "ms", reads[7].Latency(50), null, "≤ 30 ms", reads[7].Latency(50) <= 30));
        report.Add(new Figure($"note page, rendered by the web app, p50", "ms", reads[8].Latency(50), null, "≤ 30 ms", reads[8].Latency(50) <= 30));
        report.Note($"Search at scale: {Notes:N0} notes, {revisions:N0} revisions ({bytes / 1e6:0} MB of bodies) and {properties:N0} property writes " +
            $"({ScaleCorpus.NotebookCount} notebooks, {ScaleCorpus.TagCount} tags) merged into A's cluster in {loading.Elapsed.TotalSeconds:0} s, " +
            $"{Batch} notes per transaction, the search index kept by its triggers; then an import of {Imported:N0} notes newer than all of them into a notebook of their own ({ScaleCorpus.ImportNotebookName}). Each figure: 40 or 100 requests per round, a warm-up round and {Load.Rounds} measured, " +
            "the ways taking turns; to each process's own port.");
    }

    private static SearchQuery Parsed(string text) => SearchQuery.TryParse(text, out var query, out var problem) ? query : throw new InvalidOperationException(problem);

    private static async Task GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The search before full-text search, as an anchor: every live note's title and body scanned for the text.</summary>
    private static SqlStatement LikeScan(string text) => SqlStatement.Of(
        """
        SELECT id, title, substr(body, 1, 200), version, created_at, updated_at, conflicts FROM notes
        WHERE deleted = 0 AND (title LIKE ? OR body LIKE ?)
        ORDER BY updated_at DESC, id DESC LIMIT 51
        """,
        $"%{text}%", $"%{text}%");
}
