using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>A create answers with the note it wrote, unread, so that note must be the row the table holds.</summary>
public sealed class NoteCreateTests
{
    private const string Site = "site-a";
    private const long Now = 1_764_000_000_000;

    [Fact]
    public void The_note_a_create_returns_is_the_row_it_stored()
    {
        using var db = new InMemorySqlite();
        var id = Guid.CreateVersion7();

        var written = db.Execute(NoteSql.Create(id, "Title", "Body", hlc: 42, Site, Now));

        Assert.NotNull(written);
        Assert.Equal(db.Query(NoteSql.Get(id)), written);
    }

    [Fact]
    public void A_create_that_wrote_nothing_tells_its_own_retry_from_another_note()
    {
        using var db = new InMemorySqlite();
        var id = Guid.CreateVersion7();
        var first = db.Execute(NoteSql.Create(id, "Title", "Body", hlc: 42, Site, Now));

        Assert.Null(db.Execute(NoteSql.Create(id, "Title", "Body", hlc: 43, Site, Now + 1)));
        var retry = db.Query(NoteSql.Existing(id, "Title", "Body"));
        var other = db.Query(NoteSql.Existing(id, "Title", "Another body"));

        Assert.Equal((first, CreateStatus.AlreadyExisted), (retry.Note, retry.Status));
        Assert.Equal(CreateStatus.IdTaken, other.Status);
    }
}
