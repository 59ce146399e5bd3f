using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// The search box's text as words, phrases and filters; and text meant to break FTS5, which
/// either matches literally or is refused with a reason, never reaching SQLite as syntax.
/// </summary>
public sealed class SearchQueryTests
{
    [Fact]
    public void Words_are_required_the_last_by_its_beginning_and_quoted_text_a_whole_phrase()
    {
        var query = Parse("lisbon \"tram 28\" ferr");

        Assert.Equal(["lisbon", "ferr"], query.Words);
        Assert.Equal(["tram 28"], query.Phrases);
        Assert.Equal("\"lisbon\" AND \"ferr\"* AND \"tram 28\"", query.MatchExpression());
        Assert.True(query.Ranked);
    }

    [Theory]
    [InlineData("title:secret", "\"title:secret\"*")]
    [InlineData("a OR b", "\"a\" AND \"OR\" AND \"b\"")]
    [InlineData("NEAR(a b)", "\"NEAR(a\" AND \"b)\"*")]
    [InlineData("^start* -x", "\"^start*\" AND \"-x\"*")]
    [InlineData("\"unclosed quote", "\"unclosed quote\"")]
    [InlineData("it's \"\"", "\"it's\"*")]
    [InlineData("a\0b\u0001c", "\"a\" AND \"b\" AND \"c\"")]
    public void FTS5_syntax_in_the_text_is_only_ever_text(string text, string expression) =>
        Assert.Equal(expression, Parse(text).MatchExpression());

    [Theory]
    [InlineData("***")]
    [InlineData("( ) \" \" - *")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Text_with_no_letter_or_digit_lists_notes_latest_first(string? text) =>
        Assert.False(Parse(text).Ranked);

    [Fact]
    public void Filters_are_read_and_leave_the_words()
    {
        var query = Parse("budget before:2024-02-01 after:2023-12-31 HAS:Conflict");

        Assert.Equal(["budget"], query.Words);
        Assert.Equal(DateTimeOffset.Parse("2024-02-01T00:00:00Z"), query.Before);
        Assert.Equal(DateTimeOffset.Parse("2024-01-01T00:00:00Z"), query.After);
        Assert.True(query.HasConflict);
    }

    [Fact]
    public void Tag_notebook_and_pinned_filters_are_read_and_a_quoted_value_may_hold_spaces()
    {
        var query = Parse("budget tag:Work notebook:\"Home and garden\" IS:Pinned");

        Assert.Equal(["budget"], query.Words);
        Assert.Equal("Work", query.Tag);
        Assert.Equal("Home and garden", query.Notebook);
        Assert.Equal(PinFilter.Pinned, query.Pin);
        Assert.Empty(query.Phrases);
    }

    [Theory]
    [InlineData("before:yesterday", "before:2024-01-31")]
    [InlineData("after:2024-13-01", "after:2024-01-31")]
    [InlineData("has:attachment", "has:conflict")]
    [InlineData("is:archived", "is:pinned and is:unpinned")]
    [InlineData("is:pinned is:unpinned", "one is: filter")]
    [InlineData("tag:a,b", "comma")]
    [InlineData("tag:", "cannot be empty")]
    [InlineData("notebook:", "needs a name")]
    [InlineData("tag:work tag:home", "one tag: filter")]
    public void A_filter_it_cannot_read_is_refused_with_what_to_write(string text, string hint)
    {
        Assert.False(SearchQuery.TryParse(text, out _, out var problem));
        Assert.Contains(hint, problem);
    }

    [Fact]
    public void A_query_too_long_or_with_too_many_words_is_refused()
    {
        Assert.False(SearchQuery.TryParse(new string('a', SearchQuery.MaxLength + 1), out _, out var tooLong));
        Assert.Contains($"{SearchQuery.MaxLength}", tooLong);
        Assert.False(SearchQuery.TryParse(string.Join(' ', Enumerable.Repeat("w", SearchQuery.MaxTerms + 1)), out _, out var tooMany));
        Assert.Contains($"{SearchQuery.MaxTerms}", tooMany);
        Assert.True(SearchQuery.TryParse(string.Join(' ', Enumerable.Repeat("w", SearchQuery.MaxTerms)), out _, out _));
    }

    [Fact]
    public void A_rank_cursor_reads_back_and_no_other_token_passes_for_one()
    {
        Assert.True(RankCursor.TryDecode(new RankCursor(150).Encode(), out var cursor));
        Assert.Equal(150, cursor.Offset);
        Assert.False(RankCursor.TryDecode(new NoteCursor(1, Guid.NewGuid()).Encode(), out _));
        Assert.False(RankCursor.TryDecode(new RankCursor(SearchQuery.MaxRanked).Encode(), out _));
        Assert.False(RankCursor.TryDecode(new RankCursor(-1).Encode(), out _));
    }

    [Fact]
    public void A_snippet_is_read_into_stretches_with_what_matched_marked()
    {
        var parts = SearchSnippet.Read("…w27 the \uE000Café\uE001-\uE000crème\uE001 was \uE000naïve\uE001…");

        Assert.Equal(["Café", "crème", "naïve"], parts.Where(p => p.Match).Select(p => p.Text));
        Assert.Equal("…w27 the Café-crème was naïve…", string.Concat(parts.Select(p => p.Text)));
    }

    [Fact]
    public void A_snippet_without_marks_is_one_unmarked_stretch_and_stray_marks_mark_nothing()
    {
        Assert.Equal([new SnippetPart("short body", false)], SearchSnippet.Read("short body"));
        Assert.Empty(SearchSnippet.Read(""));
        Assert.Equal([new SnippetPart("a", false), new SnippetPart("b", false)], SearchSnippet.Read("\uE001a\uE001\uE000\uE001b"));
    }

    private static SearchQuery Parse(string? text) =>
        SearchQuery.TryParse(text, out var query, out var problem) ? query : throw new ArgumentException(problem);
}
