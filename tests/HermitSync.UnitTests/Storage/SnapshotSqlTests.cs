using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>What a snapshot keeps of a note's revisions, and what a site that receives it holds.</summary>
public sealed class SnapshotSqlTests : IDisposable
{
    private readonly SqliteSite _sqlite = new();

    [Fact]
    public void Replaced_revisions_past_the_newest_few_go_without_their_body_and_the_head_and_recent_ones_stay_whole()
    {
        var note = _sqlite.Create("draft", "v1");
        var revision = note.Revision;
        for (var i = 2; i <= 5; i++)
        {
            revision = _sqlite.Write(note.Id, revision, title: $"draft {i}", body: $"v{i}").Note!.Revision;
        }

        var kept = Snapshot(keepVersions: 2, keepSince: long.MaxValue);
        var recent = Snapshot(keepVersions: 1, keepSince: HybridLogicalClock.FromPhysical(_sqlite.Now - 1500));

        Assert.Equal(["", "", "", "v4", "v5"], kept.Select(r => r.Body));
        Assert.Equal([true, true, true, false, false], kept.Select(r => r.Pruned));
        Assert.Equal(["draft", "draft 2", "draft 3", "draft 4", "draft 5"], kept.Select(r => r.Title));
        Assert.Equal(["", "", "", "v4", "v5"], recent.Select(r => r.Body));
    }

    [Fact]
    public void A_site_that_got_a_revision_without_its_body_shows_it_so_refuses_to_restore_it_and_takes_the_body_when_it_arrives()
    {
        var note = _sqlite.Create("draft", "first words");
        _sqlite.Write(note.Id, note.Revision, body: "second words");
        var snapshot = Snapshot(keepVersions: 1, keepSince: long.MaxValue);
        using var joiner = new SqliteSite();

        joiner.Db.Execute(RevisionSql.Merge(snapshot));

        Assert.Equal("second words", joiner.Db.Query(NoteSql.Get(note.Id))!.Body);
        var history = joiner.Db.Query(RevisionSql.History(note.Id, after: null, limit: 10)).Items;
        Assert.Equal([false, true], history.Select(h => h.Pruned));
        Assert.True(joiner.Db.Query(RevisionSql.Version(note.Id, RevisionId.Parse(note.Revision)))!.Pruned);

        joiner.Db.Execute(RevisionSql.Merge(_sqlite.Db.Query(RevisionSql.Since(_sqlite.SiteId, 0, long.MaxValue, 10)).Select(r => r.Revision).ToArray()));

        var version = joiner.Db.Query(RevisionSql.Version(note.Id, RevisionId.Parse(note.Revision)))!;
        Assert.Equal(("first words", false), (version.Body, version.Pruned));
    }

    private NoteRevision[] Snapshot(int keepVersions, long keepSince) =>
        [.. _sqlite.Db.Query(RevisionSql.Snapshot(_sqlite.SiteId, 0, long.MaxValue, 100, keepVersions, keepSince)).Select(r => r.Revision)];

    public void Dispose() => _sqlite.Dispose();
}
