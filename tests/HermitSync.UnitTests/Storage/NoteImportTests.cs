using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>An import says, draft by draft, which notes it wrote: none whose id is here already.</summary>
public sealed class NoteImportTests
{
    private const string Site = "site-a";

    [Fact]
    public void Each_draft_is_written_unless_its_id_is_here_and_the_same_import_again_writes_nothing()
    {
        using var db = new InMemorySqlite();
        var here = Guid.CreateVersion7();
        db.Execute(NoteSql.Create(here, "here", "kept", hlc: 1, Site, 1));
        NoteDraft[] drafts =
        [
            new(Guid.CreateVersion7(), "one", "first body", 10, 20, Tags: ["Rust"]),
            new(here, "other", "would replace it", 10, 20),
            new(Guid.CreateVersion7(), "three", "third body", 10, 30),
        ];
        var hlc = 100L;
        var batch = NoteSql.Import(drafts, () => hlc++, Site);

        Assert.Equal([true, false, true], db.Execute(batch));
        Assert.Equal([false, false, false], db.Execute(NoteSql.Import(drafts, () => hlc++, Site)));

        Assert.Equal("kept", db.Query(NoteSql.Get(here))!.Body);
        var first = db.Query(NoteSql.Get(drafts[0].Id))!;
        Assert.Equal(("one", "first body", 1L), (first.Title, first.Body, first.Version));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(20), first.UpdatedAt);
        Assert.Contains("Rust", first.Labels.Tags);
    }
}
