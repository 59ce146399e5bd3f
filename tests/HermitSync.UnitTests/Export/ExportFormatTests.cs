using System.Text;
using HermitSync.Api.Export;
using HermitSync.Storage;
using YamlDotNet.Serialization;

namespace HermitSync.UnitTests.Export;

/// <summary>An exported note's file: front matter a YAML parser reads back exactly, and a name every file system takes.</summary>
public sealed class ExportFormatTests
{
    public static TheoryData<string> Titles() =>
    [
        "Groceries",
        "say \"hi\" \\ back",
        "---",
        "key: value # not a comment",
        "  leading and trailing  ",
        "- a list? [no] {no} &anchor *alias !tag | >",
        "tab\there",
        "line\u2028separator and \u0085 next line",
        "naïve café 🍰 (é composed é)",
        "\ufeffbom at the start",
        "null",
        "true",
        "123",
        "",
    ];

    [Theory]
    [MemberData(nameof(Titles))]
    public void A_title_reads_back_from_the_front_matter_exactly(string title)
    {
        var note = Note(title, "# Body\n\nsecond line\n");

        var (frontMatter, body) = Split(NoteMarkdown.Write(note, []));

        Assert.Equal(title, frontMatter["title"]);
        Assert.Equal(note.Id.ToString(), frontMatter["id"]);
        Assert.Equal("2026-12-01T08:30:00.123Z", frontMatter["created"]);
        Assert.Equal("2026-12-01T09:45:01.000Z", frontMatter["updated"]);
        Assert.Equal(note.Body, body);
    }

    [Fact]
    public void Tags_the_notebook_and_the_pin_are_in_the_front_matter_and_an_import_reads_them_back()
    {
        var note = Note("labelled", "text") with { Labels = new NoteLabels("ignored", true, ["Rust", "a \"quoted\" tag", "naïve"]) };

        var markdown = NoteMarkdown.Write(note, ["Work", "Projects: 2026"]);
        var imported = HermitSync.Api.Import.MarkdownImport.Read("Work/Projects 2026/labelled.md", System.Text.Encoding.UTF8.GetBytes(markdown)).Note!;

        Assert.Contains("tags: [\"Rust\", \"a \\\"quoted\\\" tag\", \"naïve\"]", markdown);
        Assert.Equal(["Rust", "a \"quoted\" tag", "naïve"], imported.Tags);
        Assert.Equal(["Work", "Projects: 2026"], imported.Notebook);
        Assert.True(imported.Pinned);
        Assert.Equal((note.Id, "text"), (imported.Id, imported.Body));
    }

    [Fact]
    public void A_body_that_itself_opens_with_front_matter_stays_body()
    {
        var note = Note("front", "---\ntitle: not this\n---\ntext");

        var (frontMatter, body) = Split(NoteMarkdown.Write(note, []));

        Assert.Equal("front", frontMatter["title"]);
        Assert.Equal("---\ntitle: not this\n---\ntext", body);
    }

    [Fact]
    public void A_lone_surrogate_in_a_title_is_written_as_an_escape()
    {
        Assert.Equal("\"a\\ud800b\"", NoteMarkdown.Quote("a\ud800b"));
        Assert.Equal("\"🍰\"", NoteMarkdown.Quote("🍰"));
    }

    [Theory]
    [InlineData("../../etc/passwd", "etc passwd")]
    [InlineData("..\\..\\Windows\\win.ini", "Windows win.ini")]
    [InlineData(".hidden", "hidden")]
    [InlineData("trailing dots...", "trailing dots")]
    [InlineData("a: b? <c> | \"d\" *", "a b c d")]
    [InlineData("CON", "_CON")]
    [InlineData("nul.txt", "_nul.txt")]
    [InlineData("", "Untitled")]
    [InlineData(" ... ", "Untitled")]
    [InlineData("tab\tand\nnewline", "tab and newline")]
    [InlineData("invoice\u202Egpj.exe", "invoice gpj.exe")]
    public void A_title_becomes_a_safe_file_name(string title, string stem) =>
        Assert.Equal(stem, ExportFileNames.Stem(title));

    [Fact]
    public void A_lone_half_of_a_surrogate_pair_is_left_out() =>
        Assert.Equal("lone half", ExportFileNames.Stem("lone \ud800 half"));

    [Fact]
    public void Decomposed_letters_are_composed()
    {
        var stem = ExportFileNames.Stem("cafe\u0301");
        Assert.Equal("caf\u00e9", stem);
    }

    [Fact]
    public void A_long_title_is_cut_to_whole_characters_under_the_limit()
    {
        var stem = ExportFileNames.Stem(string.Concat(Enumerable.Repeat("🍰", 200)));

        Assert.InRange(Encoding.UTF8.GetByteCount(stem), 1, 200);
        Assert.Equal(stem, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(stem)));
        Assert.All(stem.EnumerateRunes(), rune => Assert.Equal("🍰", rune.ToString()));
    }

    [Fact]
    public void Titles_that_differ_only_in_case_or_not_at_all_get_distinct_names()
    {
        var names = new ExportFileNames();

        Assert.Equal(
            ["Groceries.md", "groceries (2).md", "Groceries (3).md", "Untitled.md", "Untitled (2).md"],
            new[] { "Groceries", "groceries", "Groceries", "", "/" }.Select(names.Next).ToArray());
    }

    private static Note Note(string title, string body) => new(
        Guid.CreateVersion7(), title, body, 1,
        DateTimeOffset.Parse("2026-12-01T08:30:00.123Z"), DateTimeOffset.Parse("2026-12-01T09:45:01Z"),
        "0000000000000001-00000000000000000000000000000001", "00000000000000000000000000000001", 0, NoteLabels.None);

    /// <summary>The front matter as a YAML parser reads it, and what follows its closing line and the blank line after.</summary>
    private static (Dictionary<string, string> FrontMatter, string Body) Split(string markdown)
    {
        Assert.StartsWith("---\n", markdown);
        var end = markdown.IndexOf("\n---\n", 3, StringComparison.Ordinal);
        var yaml = markdown[4..(end + 1)];
        var frontMatter = new DeserializerBuilder().Build().Deserialize<Dictionary<string, string>>(yaml);
        var rest = markdown[(end + "\n---\n".Length)..];
        Assert.StartsWith("\n", rest);
        return (frontMatter, rest[1..]);
    }
}
