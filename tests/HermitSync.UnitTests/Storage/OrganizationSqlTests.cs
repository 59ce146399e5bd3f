using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// Notebooks, tags, pins and links as the storage module's statements run them on real SQLite:
/// which write a register keeps, which notes a filter keeps, where a deleted notebook's notes
/// show, and which notes link to a note.
/// </summary>
public sealed class OrganizationSqlTests : IDisposable
{
    private readonly SqliteSite _sqlite = new();
    private readonly string _other = SiteIds.New();
    private long _stamp = HybridLogicalClock.FromPhysical(DateTimeOffset.Parse("2026-12-01T12:00:00Z").ToUnixTimeMilliseconds());

    [Fact]
    public void A_register_keeps_its_greatest_write_whatever_order_writes_arrive_in()
    {
        var note = _sqlite.Create("tagged", "").Id.ToString("D");
        var added = Write(note, Properties.TagName("Rust"), "Rust", _sqlite.SiteId);
        var removedLater = Write(note, Properties.TagName("Rust"), "", _other);
        var addedAgainElsewhereAtOnce = added with { Value = "rust", SiteId = _other };

        _sqlite.Db.Execute(PropertySql.Merge([removedLater]));
        _sqlite.Db.Execute(PropertySql.Merge([added]));
        Assert.Equal([removedLater], _sqlite.Db.Query(PropertySql.All));

        // The same stamp from two sites: the greater site id decides, the same way everywhere.
        using var other = new SqliteSite();
        other.Db.Execute(PropertySql.Merge([added, addedAgainElsewhereAtOnce]));
        other.Db.Execute(PropertySql.Merge([addedAgainElsewhereAtOnce, added]));
        var winner = string.CompareOrdinal(_other, _sqlite.SiteId) > 0 ? addedAgainElsewhereAtOnce : added;
        Assert.Equal([winner], other.Db.Query(PropertySql.All));
    }

    [Fact]
    public void Only_this_sites_winning_writes_are_read_for_export_and_a_replaced_one_is_read_again_under_a_new_sequence()
    {
        var note = _sqlite.Create("pinned", "").Id.ToString("D");
        var pin = Write(note, Properties.Pinned, Properties.Set, _sqlite.SiteId);
        _sqlite.Db.Execute(PropertySql.Merge([pin]));
        var first = Assert.Single(_sqlite.Db.Query(PropertySql.Since(_sqlite.SiteId, 0, long.MaxValue, 100)));

        _sqlite.Db.Execute(PropertySql.Merge([Write(note, Properties.Pinned, "", _other)]));
        Assert.Empty(_sqlite.Db.Query(PropertySql.Since(_sqlite.SiteId, 0, long.MaxValue, 100)));

        var pinAgain = Write(note, Properties.Pinned, Properties.Set, _sqlite.SiteId);
        _sqlite.Db.Execute(PropertySql.Merge([pinAgain]));
        var again = Assert.Single(_sqlite.Db.Query(PropertySql.Since(_sqlite.SiteId, first.Seq, long.MaxValue, 100)));
        Assert.Equal(pinAgain, again.Change);
    }

    [Fact]
    public void A_list_by_a_label_pages_through_that_labels_live_notes_latest_first()
    {
        var notes = new List<Note>();
        for (var i = 0; i < 14; i++)
        {
            // Every other note shares its time with the one before: the id breaks the tie.
            _sqlite.Now -= i % 2 * 1_000;
            notes.Add(_sqlite.Create($"note {i}", ""));
        }
        foreach (var (note, i) in notes.Select((note, i) => (note, i)))
        {
            Label(note, [.. i % 3 == 0 ? [] : new[] { (Properties.TagName("Kept"), "Kept") }, .. i % 4 == 0 ? [(Properties.Pinned, Properties.Set)] : Array.Empty<(string, string)>()]);
        }
        _sqlite.Write(notes[2].Id, notes[2].Revision, deleted: true);

        var kept = notes.Where((_, i) => i % 3 != 0 && i != 2).OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id.ToString("D"), StringComparer.Ordinal).Select(n => n.Id);
        Assert.Equal(kept, Pages("tag:kept", limit: 3));
        Assert.Equal(kept.Where(id => notes.FindIndex(n => n.Id == id) % 4 == 0), Pages("tag:kept is:pinned", limit: 2));
        Assert.Equal(kept.Where(id => notes.FindIndex(n => n.Id == id) % 4 != 0), Pages("tag:Kept is:unpinned", limit: 4));
        var pinned = notes.Where((_, i) => i % 4 == 0 && i != 2).OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id.ToString("D"), StringComparer.Ordinal).Select(n => n.Id);
        Assert.Equal(pinned, Pages("is:pinned", limit: 2));
        Assert.Equal(0, _sqlite.Db.Query(OrganizationSql.LabelMismatches));
    }

    [Fact]
    public void A_note_moves_up_its_labels_lists_when_edited_and_leaves_them_when_deleted_or_unlabelled()
    {
        var work = Notebook("Work");
        var older = _sqlite.Create("older", "");
        _sqlite.Now += 1_000;
        var newer = _sqlite.Create("newer", "");
        _sqlite.Create("unlabelled and newest", "");
        Label(older, (Properties.TagName("t"), "t"), (Properties.Notebook, work));
        Label(newer, (Properties.TagName("t"), "t"), (Properties.Notebook, work));
        Assert.Equal([newer.Id, older.Id], List("tag:t"));

        _sqlite.Now += 1_000;
        var edited = _sqlite.Write(older.Id, older.Revision, body: "edited");
        Assert.Equal([older.Id, newer.Id], List("tag:t"));
        Assert.Equal([older.Id, newer.Id], List("notebook:work"));

        _sqlite.Write(older.Id, edited.Note!.Revision, deleted: true);
        _sqlite.Db.Execute(PropertySql.Merge([Write(newer.Id.ToString("D"), Properties.TagName("t"), "", _sqlite.SiteId)]));
        Assert.Empty(List("tag:t"));
        Assert.Equal([newer.Id], List("notebook:work"));
        Assert.Equal(0, _sqlite.Db.Query(OrganizationSql.LabelMismatches));
    }

    [Fact]
    public void Filters_keep_a_tag_pinned_notes_and_a_notebook_with_every_notebook_inside_it()
    {
        var work = Notebook("Work");
        var projects = Notebook("Projects", parent: work);
        var home = Notebook("Home");
        var inProjects = Label(_sqlite.Create("in projects", ""), (Properties.Notebook, projects), (Properties.TagName("Urgent"), "Urgent"), (Properties.Pinned, Properties.Set));
        var inWork = Label(_sqlite.Create("in work", ""), (Properties.Notebook, work), (Properties.TagName("urgent"), ""));
        var atHome = Label(_sqlite.Create("at home", ""), (Properties.Notebook, home), (Properties.TagName("urgent"), "urgent"));

        Assert.Equal([inWork, inProjects], List("notebook:work"));
        Assert.Equal([inProjects], List("notebook:Projects"));
        Assert.Equal([atHome, inProjects], List("tag:URGENT"));
        Assert.Equal([inProjects], List("is:pinned"));
        Assert.Equal([inWork], List("is:unpinned notebook:work"));
        Assert.Equal([inProjects], List("tag:urgent notebook:work"));
        Assert.Equal([inProjects], Search("projects tag:urgent"));
        Assert.Empty(List("notebook:Nowhere"));
        Assert.Equal(new NoteLabels(projects, true, ["Urgent"]), _sqlite.Db.Query(NoteSql.Get(inProjects))!.Labels);
    }

    [Fact]
    public void A_notebook_with_its_notebooks_pages_through_its_own_notes_latest_first_whatever_newer_notes_others_hold()
    {
        var work = Notebook("Work");
        var projects = Notebook("Projects", parent: work);
        var home = Notebook("Home");
        var notes = Enumerable.Range(0, 12).Select(i => _sqlite.Create($"note {i}", "")).ToArray();
        var kept = new List<Note>();
        foreach (var (note, i) in notes.Select((note, i) => (note, i)))
        {
            Label(note, (Properties.Notebook, (i % 3) switch { 0 => work, 1 => projects, _ => home }));
            if (i % 3 != 2)
            {
                kept.Add(note);
            }
        }
        // An import into a notebook of its own, newer than everything else.
        for (var i = 0; i < 10; i++)
        {
            Label(_sqlite.Create($"imported {i}", ""), (Properties.Notebook, home));
        }
        // One note moves into the tree, one out of it, and one kept note is edited to the top.
        Label(notes[2], (Properties.Notebook, projects));
        Label(notes[3], (Properties.Notebook, home));
        var edited = _sqlite.Write(notes[0].Id, notes[0].Revision, body: "edited").Note!;
        kept = [edited, .. kept.Where(n => n.Id != notes[0].Id && n.Id != notes[3].Id).Append(notes[2]).OrderByDescending(n => n.UpdatedAt).ThenByDescending(n => n.Id.ToString("D"), StringComparer.Ordinal)];

        Assert.Equal(kept.Select(n => n.Id), Pages("notebook:work", limit: 3));
        Assert.Equal(kept.Select(n => n.Id), Pages("notebook:work after:2026-11-30", limit: 2));
        Assert.Empty(Pages("notebook:work before:2026-12-01", limit: 2));
        Assert.Equal(0, _sqlite.Db.Query(OrganizationSql.LabelMismatches));
    }

    [Fact]
    public void A_site_that_listed_every_notebooks_notes_under_one_name_lists_each_notebooks_own_after_the_migration()
    {
        using var site = new SqliteSite(schemaVersion: 8);
        var work = Guid.CreateVersion7().ToString("D");
        site.Db.Execute(PropertySql.Merge([Write(work, Properties.NotebookName, "Work", site.SiteId)]));
        var older = site.Create("older", "");
        var newer = site.Create("newer", "");
        site.Create("in no notebook", "");
        site.Db.Execute(PropertySql.Merge([Write(older.Id.ToString("D"), Properties.Notebook, work, site.SiteId), Write(newer.Id.ToString("D"), Properties.Notebook, work, site.SiteId)]));

        site.Db.Migrate();

        Assert.True(SearchQuery.TryParse("notebook:work", out var query, out _));
        Assert.Equal([newer.Id, older.Id], site.Db.Query(NoteSql.List(query, null, 50)).Items.Select(n => n.Id));
        Assert.Equal(0, site.Db.Query(OrganizationSql.LabelMismatches));
    }

    [Fact]
    public void A_deleted_notebook_loses_no_note_and_its_notes_and_notebooks_show_in_the_one_above_it()
    {
        var work = Notebook("Work");
        var projects = Notebook("Projects", parent: work);
        var archive = Notebook("Archive", parent: projects);
        var inProjects = Label(_sqlite.Create("in projects", ""), (Properties.Notebook, projects));
        Label(_sqlite.Create("in archive", ""), (Properties.Notebook, archive));

        _sqlite.Db.Execute(PropertySql.Merge([Write(projects, Properties.NotebookDeleted, Properties.Set, _sqlite.SiteId)]));

        var tree = new NotebookTree(_sqlite.Db.Query(OrganizationSql.Notebooks));
        Assert.Equal([("Work", (string?)null, 0, 2L), ("Archive", work, 1, 1L)], tree.Entries.Select(e => (e.Name, e.ParentId, e.Depth, e.Notes)));
        Assert.Equal(work, tree.Resolve(projects));
        Assert.Equal(2, List("notebook:Work").Length);
        Assert.Empty(List("notebook:Projects"));
        Assert.Equal(projects, _sqlite.Db.Query(NoteSql.Get(inProjects))!.Labels.NotebookId);
    }

    [Fact]
    public void Notebooks_moved_each_under_the_other_at_two_sites_both_show_at_the_top()
    {
        var left = Notebook("Left");
        var right = Notebook("Right");
        _sqlite.Db.Execute(PropertySql.Merge([Write(left, Properties.NotebookParent, right, _sqlite.SiteId), Write(right, Properties.NotebookParent, left, _other)]));

        var tree = new NotebookTree(_sqlite.Db.Query(OrganizationSql.Notebooks));

        Assert.Equal([("Left", (string?)null), ("Right", null)], tree.Entries.Select(e => (e.Name, e.ParentId)));
        Assert.True(tree.IsWithin(left, left));
    }

    [Fact]
    public void A_note_links_to_another_by_title_in_any_case_with_or_without_a_label()
    {
        var target = _sqlite.Create("Trip to Lisbon", "");
        var plain = _sqlite.Create("plan", "See [[Trip to Lisbon]] first.");
        var labelled = _sqlite.Create("budget", "Costs of [[trip to lisbon|the trip]].");
        _sqlite.Create("mentions", "A trip to Lisbon, but no link.");
        _sqlite.Create("other link", "[[Trip to Lisbon again]]");
        var odd = _sqlite.Create("?!", "");
        var toOdd = _sqlite.Create("asks", "[[?!]]");

        Assert.Equal([labelled.Id, plain.Id], _sqlite.Db.Query(NoteSql.LinkingTo(target.Id, target.Title, 10)).Select(n => n.Id));
        Assert.Equal([toOdd.Id], _sqlite.Db.Query(NoteSql.LinkingTo(odd.Id, odd.Title, 10)).Select(n => n.Id));
        Assert.Equal([target.Id], _sqlite.Db.Query(NoteSql.Titled("TRIP TO LISBON")).Select(n => n.Id));
    }

    private string Notebook(string name, string? parent = null)
    {
        var id = Guid.CreateVersion7().ToString("D");
        _sqlite.Db.Execute(PropertySql.Merge([Write(id, Properties.NotebookName, name, _sqlite.SiteId), Write(id, Properties.NotebookParent, parent ?? "", _sqlite.SiteId)]));
        return id;
    }

    private Guid Label(Note note, params (string Name, string Value)[] labels)
    {
        _sqlite.Db.Execute(PropertySql.Merge(labels.Select(l => Write(note.Id.ToString("D"), l.Name, l.Value, _sqlite.SiteId)).ToArray()));
        return note.Id;
    }

    private PropertyChange Write(string entity, string name, string value, string site) => new(entity, name, value, ++_stamp, site);

    private Guid[] List(string q) => Pages(q, limit: 50);

    /// <summary>Every page of a list, by its cursor.</summary>
    private Guid[] Pages(string q, int limit)
    {
        Assert.True(SearchQuery.TryParse(q, out var query, out var problem), problem);
        var ids = new List<Guid>();
        NoteCursor? after = null;
        do
        {
            var page = _sqlite.Db.Query(NoteSql.List(query, after, limit));
            ids.AddRange(page.Items.Select(n => n.Id));
            after = page.NextCursor is { } next && NoteCursor.TryDecode(next, out var cursor) ? cursor : null;
        }
        while (after is not null);
        return [.. ids];
    }

    private Guid[] Search(string q)
    {
        Assert.True(SearchQuery.TryParse(q, out var query, out var problem), problem);
        return [.. _sqlite.Db.Query(NoteSql.Search(query, null, 50)).Items.Select(n => n.Id)];
    }

    public void Dispose() => _sqlite.Dispose();
}
