using System.Text;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>Text in the JSON that goes to rqlite is written as it is, and SQLite reads it back whole.</summary>
public sealed class SqlJsonTests
{
    private const string Text = "Привет, 世界 <b>&'\"\\ 😀 é";

    [Fact]
    public void A_merge_carries_letters_outside_latin_as_utf8_in_the_request()
    {
        var revision = new NoteRevision(Guid.CreateVersion7().ToString(), 1_000, SiteIds.New(), [], 1, Text, Text, false, 1, 1);

        var body = Encoding.UTF8.GetString(RqliteClient.SerializeStatements(RevisionSql.Merge([revision]).Statements));

        Assert.Contains("Привет, 世界 <b>&'", body);
        Assert.DoesNotContain("\\u041F", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_merged_note_and_its_tag_read_back_exactly_as_written()
    {
        using var site = new SqliteSite();
        var id = Guid.CreateVersion7().ToString();
        var revision = new NoteRevision(id, 1_000, site.SiteId, [], 1, Text, Text, false, 1, 1);
        var tag = new PropertyChange(id, Properties.TagName(Text), Text, 1_001, site.SiteId);

        site.Db.Execute(SyncLedgerSql.Merge(new ChangeSet([revision], [tag])));

        var note = site.Db.Query(NoteSql.Get(Guid.Parse(id)));
        Assert.NotNull(note);
        Assert.Equal(Text, note.Title);
        Assert.Equal(Text, note.Body);
        Assert.Equal(Text, Assert.Single(site.Db.Query(PropertySql.All)).Value);
    }
}
