using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

public sealed class NoteRulesTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_note_needs_a_title(string? title) =>
        Assert.Equal("title", NoteRules.Check(title, "body")?.Field);

    [Fact]
    public void Titles_are_measured_in_characters_not_utf16_units()
    {
        var twoHundredEmoji = string.Concat(Enumerable.Repeat("😀", 200));

        Assert.Null(NoteRules.Check(twoHundredEmoji, ""));
        Assert.Equal(new NoteRuleViolation("title", "A title may have at most 200 characters."), NoteRules.Check(twoHundredEmoji + "x", ""));
    }

    [Fact]
    public void A_body_over_one_mebibyte_of_utf8_is_too_large()
    {
        Assert.Null(NoteRules.Check("t", new string('a', NoteRules.MaxBodyBytes)));
        // 'é' is two bytes in UTF-8, so this is half a million characters but over the limit.
        Assert.True(NoteRules.Check("t", new string('é', (NoteRules.MaxBodyBytes / 2) + 1))?.TooLarge);
    }

    [Fact]
    public void A_missing_body_is_refused_but_an_empty_one_is_fine()
    {
        Assert.Equal("body", NoteRules.Check("t", null)?.Field);
        Assert.Null(NoteRules.Check("t", ""));
    }

    [Fact]
    public void Cursors_round_trip_and_garbage_is_refused()
    {
        var cursor = new NoteCursor(1_764_000_000_123, Guid.CreateVersion7());

        Assert.True(NoteCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
        Assert.False(NoteCursor.TryDecode("not a cursor!", out _));
        Assert.False(NoteCursor.TryDecode("MTIzOmFiYw", out _));
    }
}
