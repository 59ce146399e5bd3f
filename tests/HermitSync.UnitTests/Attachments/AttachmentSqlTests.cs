using System.Security.Cryptography;
using System.Text;
using HermitSync.Storage;
using HermitSync.UnitTests.Storage;

namespace HermitSync.UnitTests.Attachments;

/// <summary>Attachments' rows, and the references every way of writing a revision records.</summary>
public sealed class AttachmentSqlTests : IDisposable
{
    private readonly SqliteSite _site = new();
    private static readonly DateTimeOffset Added = DateTimeOffset.Parse("2026-11-01T00:00:00Z");

    [Fact]
    public void The_same_content_added_twice_is_one_attachment_under_the_name_it_first_had()
    {
        var hash = Hash("photo");

        var first = _site.Db.Execute(AttachmentSql.Add(new Attachment(hash, "first.png", "image/png", 5, Added), _site.SiteId));
        var second = _site.Db.Execute(AttachmentSql.Add(new Attachment(hash, "second.png", "image/png", 5, Added.AddDays(1)), _site.SiteId));

        Assert.Equal("first.png", first.Name);
        Assert.Equal(first, second);
        Assert.Equal([hash], _site.Db.Query(AttachmentSql.Hashes));
    }

    [Fact]
    public void A_lookup_tells_the_attachments_here_from_those_not_arrived()
    {
        var (here, missing) = (Hash("here"), Hash("missing"));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(here, "a.pdf", "application/pdf", 10, Added), _site.SiteId));

        var lookup = _site.Db.Query(AttachmentSql.Lookup([here, missing]));

        Assert.Equal([here], lookup.Here.Select(a => a.Hash));
        Assert.Equal([missing], lookup.Missing);
    }

    [Fact]
    public void Creating_editing_importing_and_merging_notes_record_what_they_link_to()
    {
        var (created, edited, imported, merged) = (Hash("created"), Hash("edited"), Hash("imported"), Hash("merged"));
        foreach (var hash in new[] { created, edited, imported, merged, Hash("never linked") })
        {
            _site.Db.Execute(AttachmentSql.Add(new Attachment(hash, "f", AttachmentTypes.Binary, 1, Added), _site.SiteId));
        }

        var note = _site.Create("created", $"![x]({AttachmentLinks.PathOf(created)})");
        _site.Write(note.Id, note.Revision, body: $"[y]({AttachmentLinks.PathOf(edited)})");
        _site.Db.Execute(NoteSql.Import([new NoteDraft(Guid.CreateVersion7(), "imported", $"see {AttachmentLinks.PathOf(imported)}", 1, 1)], () => 5, _site.SiteId));
        using var peer = new SqliteSite();
        var peerNote = peer.Create("merged", $"![z]({AttachmentLinks.PathOf(merged)})");
        _site.Db.Execute(RevisionSql.Merge(peer.Db.Query(RevisionSql.Since(peer.SiteId, 0, long.MaxValue, 10)).Select(r => r.Revision).ToArray()));

        var garbage = _site.Db.Query(AttachmentSql.Unreferenced(Added.AddDays(1), limit: 10));

        Assert.Equal([Hash("never linked")], garbage.Select(g => g.Attachment.Hash));
        Assert.Equal(peerNote.Id.ToString("D"), _site.Db.Query(NoteSql.Get(peerNote.Id))!.Id.ToString("D"));
    }

    [Fact]
    public void Garbage_is_only_what_is_unreferenced_and_older_than_the_cutoff_and_a_removal_spares_what_became_referenced()
    {
        var (old, recent) = (Hash("old"), Hash("recent"));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(old, "old", AttachmentTypes.Binary, 1, Added), _site.SiteId));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(recent, "recent", AttachmentTypes.Binary, 1, Added.AddDays(20)), _site.SiteId));

        var garbage = _site.Db.Query(AttachmentSql.Unreferenced(Added.AddDays(10), limit: 10));
        _site.Create("linked meanwhile", AttachmentLinks.PathOf(old));
        _site.Db.Execute(AttachmentSql.Remove(old));

        Assert.Equal([old], garbage.Select(g => g.Attachment.Hash));
        Assert.NotNull(_site.Db.Query(AttachmentSql.Get(old)));
    }

    [Fact]
    public void Only_this_sites_unsealed_attachments_wait_to_be_sealed()
    {
        var (own, sealedOne, received) = (Hash("own"), Hash("sealed"), Hash("received"));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(own, "own", AttachmentTypes.Binary, 1, Added), _site.SiteId));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(sealedOne, "sealed", AttachmentTypes.Binary, 1, Added), _site.SiteId));
        _site.Db.Execute(AttachmentSql.MarkSealed(sealedOne, Added));
        _site.Db.Execute(AttachmentSql.Received(new Attachment(received, "received", AttachmentTypes.Binary, 1, Added), SiteIds.New(), Added));

        Assert.Equal([own], _site.Db.Query(AttachmentSql.Unsealed(_site.SiteId, 10)).Select(a => a.Hash));
    }

    [Fact]
    public void Unsealed_attachments_come_a_page_at_a_time_oldest_first()
    {
        var hashes = new[] { Hash("1"), Hash("2"), Hash("3") };
        for (var i = 0; i < hashes.Length; i++)
        {
            _site.Db.Execute(AttachmentSql.Add(new Attachment(hashes[i], $"{i}", AttachmentTypes.Binary, 1, Added.AddMinutes(i)), _site.SiteId));
        }

        var first = _site.Db.Query(AttachmentSql.Unsealed(_site.SiteId, 2));
        var second = _site.Db.Query(AttachmentSql.Unsealed(_site.SiteId, 2, first[^1]));

        Assert.Equal(hashes[..2], first.Select(a => a.Hash));
        Assert.Equal([hashes[2]], second.Select(a => a.Hash));
    }

    [Fact]
    public void This_sites_own_attachments_sealed_or_not_come_a_page_at_a_time_and_one_marked_unsealed_waits_to_be_sealed_again()
    {
        var (first, second, received) = (Hash("first"), Hash("second"), Hash("received"));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(first, "first", AttachmentTypes.Binary, 1, Added), _site.SiteId));
        _site.Db.Execute(AttachmentSql.Add(new Attachment(second, "second", AttachmentTypes.Binary, 1, Added.AddMinutes(1)), _site.SiteId));
        _site.Db.Execute(AttachmentSql.MarkSealed(first, Added));
        _site.Db.Execute(AttachmentSql.MarkSealed(second, Added));
        _site.Db.Execute(AttachmentSql.Received(new Attachment(received, "received", AttachmentTypes.Binary, 1, Added), SiteIds.New(), Added));

        var page = _site.Db.Query(AttachmentSql.Own(_site.SiteId, 1));
        Assert.Equal([first], page.Select(a => a.Hash));
        Assert.Equal([second], _site.Db.Query(AttachmentSql.Own(_site.SiteId, 1, page[^1])).Select(a => a.Hash));
        Assert.Empty(_site.Db.Query(AttachmentSql.Unsealed(_site.SiteId, 10)));

        _site.Db.Execute(AttachmentSql.MarkUnsealed(second));

        Assert.Equal([second], _site.Db.Query(AttachmentSql.Unsealed(_site.SiteId, 10)).Select(a => a.Hash));
    }

    private static string Hash(string content) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)));

    public void Dispose() => _site.Dispose();
}
