using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>How the importer cuts a file into transactions: in order, nothing lost or repeated, each part within its size unless one row is larger.</summary>
public sealed class ChangeSetPartsTests
{
    private static readonly string Site = SiteIds.New();

    private static NoteRevision Revision(int i, int bodyBytes) => new(
        Guid.CreateVersion7().ToString(), 1_000 + i, Site, [], 1, $"t{i}", new string('x', bodyBytes), false, 1, 1);

    private static PropertyChange Property(int i) => new(Guid.CreateVersion7().ToString(), Properties.Pinned, "1", 2_000 + i, Site);

    [Fact]
    public void Parts_hold_every_row_once_in_order_revisions_first_each_within_the_size()
    {
        var whole = new ChangeSet([.. Enumerable.Range(0, 40).Select(i => Revision(i, 100 * (i % 7)))], [.. Enumerable.Range(0, 25).Select(Property)]);

        var parts = whole.Parts(2_000);

        Assert.True(parts.Count > 5);
        Assert.Equal(whole.Revisions, parts.SelectMany(p => p.Revisions));
        Assert.Equal(whole.Properties, parts.SelectMany(p => p.Properties));
        Assert.All(parts, p => Assert.True(p.Revisions.Sum(r => ChangeSet.RowBytes + ChangeSet.TextBytes(r)) + p.Properties.Sum(w => ChangeSet.RowBytes + ChangeSet.TextBytes(w)) <= 2_000));
    }

    [Fact]
    public void A_row_larger_than_the_size_is_a_part_of_its_own_and_an_empty_set_is_one_empty_part()
    {
        var large = Revision(1, 10_000);
        var parts = new ChangeSet([Revision(0, 10), large, Revision(2, 10)], []).Parts(1_000);

        Assert.Equal([1, 1, 1], parts.Select(p => p.Count));
        Assert.Same(large, parts[1].Revisions[0]);
        Assert.Equal(0, Assert.Single(new ChangeSet([], []).Parts(1_000)).Count);
    }
}
