using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// The writes that carry notes reach rqlite in a form its leader logs as sent, without gzipping
/// them first (<see cref="RqliteCompression"/>): a join merges hundreds of megabytes through them.
/// </summary>
public sealed class RqliteCompressionTests
{
    private static readonly string Site = SiteIds.New();
    private static readonly string Attachment = $"{AttachmentLinks.Prefix}{new string('a', 64)}";

    private static NoteRevision Revision(int i) => new(
        Guid.CreateVersion7().ToString(), 1_000 + i, Site, i % 2 == 0 ? [] : [new ParentRef(999, Site)], 2,
        $"title {i}", $"body {i} ![a]({Attachment})", false, 1, 1);

    [Fact]
    public void A_file_merged_in_its_largest_part_is_logged_uncompressed()
    {
        var changes = new ChangeSet(
            [.. Enumerable.Range(0, 2_000).Select(Revision)],
            [.. Enumerable.Range(0, 2_000).Select(i => new PropertyChange(Guid.CreateVersion7().ToString(), Properties.TagName($"tag {i}"), $"tag {i}", 5_000 + i, Site))]);
        var applied = SyncLedgerSql.ApplyFile(new AppliedFile(Site, ChangeFileKind.Snapshot, 1, "f", changes.Count, 1, 1), changes);

        Assert.True(applied.Statements.Count > 5, "the merge should carry revisions, parents, notes, attachments and properties");
        Assert.False(RqliteCompression.Compresses(applied.Statements), Longest(applied.Statements));
    }

    [Fact]
    public void A_create_and_an_edit_are_logged_uncompressed()
    {
        var id = Guid.CreateVersion7();
        var create = NoteSql.Create(id, "title", $"body ![a]({Attachment})", 1_000, Site, 1);
        var edit = NoteSql.AddRevision(id, new RevisionId(1_000, Site), [new ParentRef(1_000, Site)], 1_001, Site, false, false, "t", "b", 2);

        Assert.False(RqliteCompression.Compresses(create.Statements), Longest(create.Statements));
        Assert.False(RqliteCompression.Compresses(edit.Statements), Longest(edit.Statements));
    }

    [Fact]
    public void Fifty_statements_or_one_of_1024_characters_are_compressed()
    {
        Assert.True(RqliteCompression.Compresses([.. Enumerable.Repeat(SqlStatement.Of("SELECT 1"), 50)]));
        Assert.True(RqliteCompression.Compresses([SqlStatement.Of($"SELECT '{new string('x', 1_015)}'")]));
        Assert.False(RqliteCompression.Compresses([SqlStatement.Of($"SELECT '{new string('x', 1_014)}'")]));
    }

    private static string Longest(IReadOnlyList<SqlStatement> statements) =>
        $"{statements.Count} statements, the longest {statements.Max(s => s.Sql.Length)} characters: {statements.MaxBy(s => s.Sql.Length)}";
}
