using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// Ranked full-text search as the storage module's statements run it on real SQLite (the engine
/// inside rqlite, with the same FTS5): what ranks first, what a snippet marks, which notes a
/// filter keeps, and an index that follows every write without being told.
/// </summary>
public sealed class SearchSqlTests : IDisposable
{
    private readonly SqliteSite _sqlite = new();

    [Fact]
    public void A_word_in_the_title_ranks_above_the_same_word_in_a_body_and_the_snippet_marks_it()
    {
        var inBody = _sqlite.Create("Groceries", "Buy lemons, then walk past the lighthouse on the way home.");
        var inTitle = _sqlite.Create("Lighthouse keepers", "A list of the keepers since 1890.");
        _sqlite.Create("Unrelated", "Nothing to see here.");

        var page = Search("lighthouse");

        Assert.Equal([inTitle.Id, inBody.Id], page.Items.Select(n => n.Id));
        var snippet = page.Items[1].Snippet!;
        Assert.Equal("lighthouse", Assert.Single(snippet, p => p.Match).Text);
        Assert.Equal("Buy lemons, then walk past the lighthouse on the way home.", string.Concat(snippet.Select(p => p.Text)));
    }

    [Fact]
    public void A_snippet_is_the_stretch_around_a_match_deep_in_a_long_body_marked_as_written()
    {
        var body = string.Join(' ', Enumerable.Range(0, 5_000).Select(i => $"w{i}")) + " the Café-crème was naïve; lighthouse";
        _sqlite.Create("Long", body);

        var snippet = Assert.Single(Search("CREME naive lighthouse").Items).Snippet!;

        Assert.Equal(["crème", "naïve", "lighthouse"], snippet.Where(p => p.Match).Select(p => p.Text));
        var text = string.Concat(snippet.Select(p => p.Text));
        Assert.StartsWith("…", text);
        Assert.EndsWith("Café-crème was naïve; lighthouse", text);
    }

    [Fact]
    public void Words_match_by_their_beginning_and_without_their_accents()
    {
        var cafe = _sqlite.Create("Café crème", "Un café au lait à Paris.");
        var resume = _sqlite.Create("Résumé", "Naïve draft.");

        Assert.Equal([cafe.Id], Search("cafe").Items.Select(n => n.Id));
        Assert.Equal([cafe.Id], Search("CAF").Items.Select(n => n.Id));
        Assert.Equal([resume.Id], Search("naive resu").Items.Select(n => n.Id));
        Assert.Empty(Search("\"cafe creme au\"").Items);
        Assert.Equal([cafe.Id], Search("\"café au lait\"").Items.Select(n => n.Id));
    }

    [Fact]
    public void The_index_follows_edits_deletes_and_restores_and_never_lists_a_deleted_note()
    {
        var note = _sqlite.Create("Plans", "Walk to the harbour.");
        var edited = _sqlite.Write(note.Id, note.Revision, title: "Plans", body: "Take the ferry instead.").Note!;

        Assert.Empty(Search("harbour").Items);
        Assert.Equal([note.Id], Search("ferry").Items.Select(n => n.Id));

        var deleted = _sqlite.Write(note.Id, edited.Revision, deleted: true).Note!;
        Assert.Empty(Search("ferry").Items);

        _sqlite.Write(note.Id, deleted.Revision, restoring: true);
        Assert.Equal([note.Id], Search("ferry").Items.Select(n => n.Id));
        _sqlite.Db.Execute(NoteSql.CheckSearchIndex);
    }

    [Fact]
    public void Filters_keep_notes_by_when_they_changed_and_by_conflicts_with_or_without_words()
    {
        var old = _sqlite.Create("Budget 2019", "spreadsheet");
        _sqlite.Now = DateTimeOffset.Parse("2026-12-03T09:00:00Z").ToUnixTimeMilliseconds();
        var recent = _sqlite.Create("Budget 2026", "spreadsheet");

        Assert.Equal([old.Id], Search("budget before:2026-12-02").Items.Select(n => n.Id));
        Assert.Equal([recent.Id], Search("budget after:2026-12-02").Items.Select(n => n.Id));
        Assert.Equal([old.Id], List("before:2026-12-02").Items.Select(n => n.Id));
        Assert.Empty(Search("budget has:conflict").Items);
        Assert.Empty(List("has:conflict").Items);
    }

    [Fact]
    public void Results_page_through_every_match_once_and_the_last_page_says_so()
    {
        var notes = Enumerable.Range(0, 7).Select(i => _sqlite.Create($"Meeting {i}", "agenda")).ToArray();

        var seen = new List<Guid>();
        RankCursor? after = null;
        string? next;
        do
        {
            var page = _sqlite.Db.Query(NoteSql.Search(Parse("agenda"), after, limit: 3));
            seen.AddRange(page.Items.Select(n => n.Id));
            next = page.NextCursor;
            after = next is not null && RankCursor.TryDecode(next, out var cursor) ? cursor : null;
        }
        while (next is not null && seen.Count < 20);

        Assert.Equal(notes.Select(n => n.Id).Order(), seen.Order());
        Assert.Equal(7, seen.Distinct().Count());
    }

    private NotePage Search(string text) => _sqlite.Db.Query(NoteSql.Search(Parse(text), after: null, limit: 50));

    private NotePage List(string text) => _sqlite.Db.Query(NoteSql.List(Parse(text), after: null, limit: 50));

    private static SearchQuery Parse(string text) =>
        SearchQuery.TryParse(text, out var query, out var problem) ? query : throw new ArgumentException(problem);

    public void Dispose() => _sqlite.Dispose();
}
