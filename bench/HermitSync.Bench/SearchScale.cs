using System.Diagnostics;
using System.Text;
using HermitSync.AppHost.Site;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// Search, a list page, opening a note and the web app's two pages, at 100,000 notes. The
/// corpus is generated the same way every run: words made of syllables, a few very common and
/// most rare; bodies of about 1 KB, one in a hundred of 100 KB; one note in ten edited ten times.
/// It is merged into site A's cluster as revisions of a site A never exports, so it stays at A.
/// Each search is timed through the API beside the same query sent straight to A's leader, and
/// beside the LIKE scan search used to be.
/// </summary>
public static class SearchScale
{
    private const string Site = "a";
    private const int Notes = 100_000;
    private const int EditsOfEditedNotes = 10;
    private const int Batch = 500;

    /// <summary>A word put into exactly ten notes: a search for something specific.</summary>
    private const string RareWord = "zephyrquill";

    private static readonly string[] Syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "pel", "dun", "sar", "qui", "bel", "tor", "nix", "aum", "ely", "gro"];

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Search, list and pages at {Notes:N0} notes in site A");
        var corpus = new Corpus(seed: 17);
        var rqlite = stack.Rqlite(Site);
        var loading = Stopwatch.StartNew();
        var peer = SiteIds.New();
        long revisions = 0, bytes = 0;
        foreach (var batch in corpus.Revisions(peer, Notes).Chunk(Batch))
        {
            await rqlite.ExecuteAsync(RevisionSql.Merge(batch), idempotent: true);
            revisions += batch.Length;
            bytes += batch.Sum(r => (long)r.Body.Length);
        }
        loading.Stop();

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
            var query = SearchQuery.TryParse(text, out var parsed, out var unreadable) ? parsed : throw new InvalidOperationException(unreadable);
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
        var reads = await Load.CompareAsync(clients: 1, perClient: 100,
            _ => GetAsync(api, "/api/notes?limit=50"),
            number => GetAsync(api, $"/api/notes/{ids[number % ids.Count]}"),
            _ => GetAsync(web, $"/?q={RareWord}"),
            number => GetAsync(web, $"/Notes/{ids[number % ids.Count]}"));
        report.Add(new Figure($"list page at {Notes / 1000:N0}k notes (50, latest first), p50", "ms", reads[0].Latency(50), null, "≤ 10 ms", reads[0].Latency(50) <= 10));
        report.Add(new Figure($"open a note at {Notes / 1000:N0}k notes, p50", "ms", reads[1].Latency(50), null, "≤ 10 ms", reads[1].Latency(50) <= 10));
        report.Add(new Figure($"notes page with a search, rendered by the web app, p50", "ms", reads[2].Latency(50), null, "≤ 30 ms", reads[2].Latency(50) <= 30));
        report.Add(new Figure($"note page, rendered by the web app, p50", "ms", reads[3].Latency(50), null, "≤ 30 ms", reads[3].Latency(50) <= 30));
        report.Note($"Search at scale: {Notes:N0} notes, {revisions:N0} revisions ({bytes / 1e6:0} MB of bodies) merged into A's cluster in {loading.Elapsed.TotalSeconds:0} s, " +
            $"{Batch} revisions per transaction, the search index kept by its triggers. Each figure: 40 requests per round, a warm-up round and {Load.Rounds} measured, " +
            "the ways taking turns; to each process's own port. Notebooks and tags do not exist yet, so the list is not filtered by one.");
    }

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

    /// <summary>The same notes every run, from one seed.</summary>
    private sealed class Corpus(int seed)
    {
        private readonly Random _random = new(seed);
        private readonly string[] _words = Words().ToArray();

        /// <summary>The word most notes hold: the head of the skewed draw.</summary>
        public string CommonWord => _words[0];

        public IEnumerable<NoteRevision> Revisions(string siteId, int notes)
        {
            var clock = new HybridLogicalClock(TimeProvider.System);
            var start = DateTimeOffset.UtcNow.AddDays(-365).ToUnixTimeMilliseconds();
            for (var i = 0; i < notes; i++)
            {
                var noteId = Guid.CreateVersion7().ToString();
                var created = start + i * 300_000L;
                var body = Body(length: i % 100 == 99 ? 100_000 : 1_000, rare: i % (notes / 10) == 0);
                var title = string.Join(' ', Enumerable.Range(0, 4).Select(_ => Word()));
                var revision = new NoteRevision(noteId, clock.Next(), siteId, [], 1, title, body, false, created, created);
                yield return revision;
                for (var edit = 1; i % 10 == 5 && edit < EditsOfEditedNotes; edit++)
                {
                    revision = revision with
                    {
                        Hlc = clock.Next(),
                        Parents = [ParentRef.Of(revision.Id)],
                        Version = revision.Version + 1,
                        Body = $"{revision.Body} {Word()}",
                        UpdatedAt = revision.UpdatedAt + 60_000,
                    };
                    yield return revision;
                }
            }
        }

        private string Body(int length, bool rare)
        {
            var body = new StringBuilder(length + 16);
            if (rare)
            {
                body.Append(RareWord).Append(' ');
            }
            while (body.Length < length)
            {
                body.Append(Word()).Append(_random.Next(12) == 0 ? ". " : " ");
            }
            return body.ToString();
        }

        /// <summary>Skewed toward the first words, as real text is: a few words are everywhere, most are rare.</summary>
        private string Word() => _words[(int)(_words.Length * Math.Pow(_random.NextDouble(), 4))];

        private static IEnumerable<string> Words() =>
            from first in Syllables from second in Syllables from third in new[] { "" }.Concat(Syllables) select first + second + third;
    }
}
