using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// The Trash, the history's pages, opening a revision, restoring and an export's pages, as the storage module's
/// statements do them on real SQLite (the engine inside rqlite) and its readers read them.
/// </summary>
public sealed class TrashAndHistorySqlTests : IDisposable
{
    private readonly SqliteSite _sqlite = new();

    [Fact]
    public void The_trash_lists_only_deleted_notes_latest_deleted_first_a_page_at_a_time()
    {
        var notes = Enumerable.Range(0, 5).Select(i => _sqlite.Create($"note {i}", $"body {i}")).ToArray();
        // Deleted out of creation order, so the order can only come from when each was deleted.
        var deletes = new[] { 3, 0, 4, 1 }.Select(i => _sqlite.Write(notes[i].Id, notes[i].Revision, deleted: true)).ToArray();

        var pages = new List<TrashPage>();
        NoteCursor? after = null;
        do
        {
            pages.Add(_sqlite.Db.Query(NoteSql.Trash(after, limit: 3)));
            after = pages[^1].NextCursor is { } next && NoteCursor.TryDecode(next, out var cursor) ? cursor : null;
        }
        while (after is not null && pages.Count < 5);

        var listed = pages.SelectMany(p => p.Items).ToArray();
        Assert.Equal([3, 1], pages.Select(p => p.Items.Count));
        Assert.Null(pages[^1].NextCursor);
        Assert.Equal(new[] { 1, 4, 0, 3 }.Select(i => notes[i].Id), listed.Select(n => n.Id));
        Assert.Equal(Enumerable.Reverse(deletes).Select(d => d.Note!.Revision), listed.Select(n => n.Revision));
        Assert.All(listed, n => Assert.Equal(_sqlite.SiteId, n.SiteId));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(_sqlite.Now), listed[0].DeletedAt);
        Assert.Equal(("note 1", "body 1", 2L), (listed[0].Title, listed[0].Excerpt, listed[0].Version));
    }

    [Fact]
    public void An_export_reads_every_live_note_whole_once_in_id_order_a_page_at_a_time()
    {
        var notes = Enumerable.Range(0, 7).Select(i => _sqlite.Create($"note {i}", $"body {i}")).ToArray();
        _sqlite.Write(notes[2].Id, notes[2].Revision, deleted: true);
        var edited = _sqlite.Write(notes[5].Id, notes[5].Revision, title: "note 5 edited", body: "edited").Note!;

        var pages = new List<IReadOnlyList<Note>> { _sqlite.Db.Query(NoteSql.ExportPage(null, 3)) };
        while (pages[^1].Count == 3 && pages.Count < 5)
        {
            pages.Add(_sqlite.Db.Query(NoteSql.ExportPage(pages[^1][^1].Id, 3)));
        }

        Assert.Equal([3, 3, 0], pages.Select(p => p.Count));
        var exported = pages.SelectMany(p => p).ToArray();
        Assert.Equal(notes.Where((_, i) => i != 2).Select(n => n.Id).OrderBy(id => id.ToString(), StringComparer.Ordinal), exported.Select(n => n.Id));
        Assert.Equal(edited, Assert.Single(exported, n => n.Id == notes[5].Id));
        Assert.Equal(notes[0], Assert.Single(exported, n => n.Id == notes[0].Id));
    }

    [Fact]
    public void A_restore_is_a_new_live_revision_on_top_of_the_delete_with_the_text_the_note_had()
    {
        var note = _sqlite.Create("Kept", "the body");
        var deleted = _sqlite.Write(note.Id, note.Revision, deleted: true).Note!;

        var restored = _sqlite.Write(note.Id, deleted.Revision, restoring: true);

        Assert.Equal(WriteStatus.Done, restored.Status);
        Assert.Equal(("Kept", "the body", 3L), (restored.Note!.Title, restored.Note.Body, restored.Note.Version));
        Assert.Equal(restored.Note, _sqlite.Db.Query(NoteSql.Get(note.Id)));
        Assert.Empty(_sqlite.Db.Query(NoteSql.Trash(null, 10)).Items);
        // On top of the delete: the delete is no longer a head, so nothing is left in conflict.
        Assert.Equal(0, restored.Note.Conflicts);
        Assert.Empty(_sqlite.Db.Query(RevisionSql.Conflicts(note.Id)));
    }

    [Fact]
    public void A_restore_based_on_a_revision_that_is_no_longer_current_is_stale_and_an_edit_of_a_deleted_note_finds_nothing()
    {
        var note = _sqlite.Create("Contested", "text");
        var deleted = _sqlite.Write(note.Id, note.Revision, deleted: true).Note!;
        var restored = _sqlite.Write(note.Id, deleted.Revision, restoring: true).Note!;
        var deletedAgain = _sqlite.Write(note.Id, restored.Revision, deleted: true).Note!;

        var staleRestore = _sqlite.Write(note.Id, deleted.Revision, restoring: true);
        var edit = _sqlite.Write(note.Id, deletedAgain.Revision, title: "edited", body: "while deleted");

        Assert.Equal(WriteStatus.VersionMismatch, staleRestore.Status);
        Assert.Equal(deletedAgain.Revision, staleRestore.Note!.Revision);
        Assert.Equal(WriteStatus.NotFound, edit.Status);
        Assert.Equal(4, _sqlite.Db.Query(RevisionSql.History(note.Id, null, 10)).Items.Count);
    }

    [Fact]
    public void An_old_version_restored_onto_the_current_one_brings_back_its_text_as_the_next_version()
    {
        var note = _sqlite.Create("First title", "first body");
        var second = _sqlite.Write(note.Id, note.Revision, title: "Second title", body: "second body").Note!;
        var first = _sqlite.Db.Query(RevisionSql.Version(note.Id, RevisionId.Parse(note.Revision)))!;

        var restored = _sqlite.Write(note.Id, second.Revision, restoring: true, title: first.Title, body: first.Body);

        Assert.Equal(WriteStatus.Done, restored.Status);
        Assert.Equal(("First title", "first body", 3L), (restored.Note!.Title, restored.Note.Body, restored.Note.Version));
        Assert.Null(_sqlite.Db.Query(RevisionSql.Version(note.Id, new RevisionId(1, _sqlite.SiteId))));
    }

    [Fact]
    public void The_history_pages_newest_first_by_revision_id_and_lists_every_revision_once()
    {
        var note = _sqlite.Create("v1", "");
        var revisions = new List<string> { note.Revision };
        for (var i = 2; i <= 7; i++)
        {
            revisions.Add(_sqlite.Write(note.Id, revisions[^1], title: $"v{i}", body: "").Note!.Revision);
        }
        revisions.Add(_sqlite.Write(note.Id, revisions[^1], deleted: true).Note!.Revision);
        _sqlite.Create("another note", "");

        var pages = new List<NoteHistoryPage>();
        RevisionId? after = null;
        do
        {
            pages.Add(_sqlite.Db.Query(RevisionSql.History(note.Id, after, limit: 3)));
            after = pages[^1].NextCursor is { } next ? RevisionId.Parse(next) : null;
        }
        while (after is not null && pages.Count < 10);

        var listed = pages.SelectMany(p => p.Items).ToArray();
        Assert.Equal([3, 3, 2], pages.Select(p => p.Items.Count));
        Assert.Equal(Enumerable.Reverse(revisions), listed.Select(e => e.Revision));
        Assert.Equal([8L, 7, 6, 5, 4, 3, 2, 1], listed.Select(e => e.Version));
        Assert.Equal([true, false, false, false, false, false, false, false], listed.Select(e => e.Deleted));
    }

    [Fact]
    public void An_opened_revision_comes_whole_beside_the_current_version_tombstone_included()
    {
        var note = _sqlite.Create("Draft", "line one");
        var edited = _sqlite.Write(note.Id, note.Revision, title: "Final", body: "line one\nline two").Note!;
        var deleted = _sqlite.Write(note.Id, edited.Revision, deleted: true).Note!;

        var opened = _sqlite.Db.Query(RevisionSql.Open(note.Id, RevisionId.Parse(note.Revision)))!;

        Assert.Equal((note.Revision, "Draft", "line one", 1L, false), (opened.Revision.Revision, opened.Revision.Title, opened.Revision.Body, opened.Revision.Version, opened.Revision.Deleted));
        Assert.Equal((deleted.Revision, "Final", "line one\nline two", 3L, true), (opened.Current.Revision, opened.Current.Title, opened.Current.Body, opened.Current.Version, opened.Current.Deleted));
        Assert.Equal($"\"{deleted.Revision}\"", opened.ETag);
        Assert.Equal(_sqlite.SiteId, opened.Revision.SiteId);
        Assert.Null(_sqlite.Db.Query(RevisionSql.Open(note.Id, new RevisionId(42, _sqlite.SiteId))));
        Assert.Null(_sqlite.Db.Query(RevisionSql.Open(Guid.CreateVersion7(), RevisionId.Parse(note.Revision))));
    }

    public void Dispose() => _sqlite.Dispose();
}
