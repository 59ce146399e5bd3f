using System.IO.Compression;
using System.Text.Json;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Storage;
using NSec.Cryptography;

namespace HermitSync.UnitTests.ChangeFiles;

/// <summary>
/// Files sealed with the real key whose content contradicts their header: authentic, so they pass
/// decryption, and refused as <see cref="RejectionReason.Malformed"/> by the checks on what is inside.
/// </summary>
public sealed class ChangeFileContentTests
{
    private static readonly Argon2Parameters Cheap = new() { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };
    private static readonly SyncKeyring Keyring = new("correct horse battery staple", Cheap);
    private static readonly string Site = SiteIds.New();
    private static readonly string OtherSite = SiteIds.New();

    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private static readonly long Stamp = HybridLogicalClock.FromPhysical(Now);

    private static NoteRevision[] Revisions() => Enumerable.Range(0, 3).Select(i => new NoteRevision(
        Guid.CreateVersion7().ToString(), Stamp + i, Site, i == 0 ? [] : [new ParentRef(Stamp + i - 1, Site)], i + 1,
        $"Title {i}", $"Body {i}", false, Now, Now + i)).ToArray();

    [Fact]
    public void A_file_whose_content_matches_its_header_opens()
    {
        var revisions = Revisions();

        var opened = ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, SealWithContent(revisions, revisions)).Revisions;

        Assert.Equal(revisions.Select(r => r.Id), opened.Select(r => r.Id));
    }

    [Fact]
    public void Fewer_revisions_than_the_header_counts_are_malformed()
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, revisions[..2]), "says 3 rows but the file holds 2");
    }

    [Fact]
    public void A_revision_of_another_site_in_a_change_file_is_malformed()
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, [revisions[0], revisions[1] with { SiteId = OtherSite }, revisions[2]]), "a revision of another site");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(1L << 40)]
    public void A_clock_stamp_outside_the_header_range_is_malformed(long offset)
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, [revisions[0], revisions[1] with { Hlc = Stamp + offset }, revisions[2]]), "header gives clock stamps");
    }

    [Theory]
    [InlineData("not-a-note-id")]
    [InlineData("")]
    [InlineData("0195e5a1-7c2b-7000-8000-00000000000")]
    [InlineData("{0195e5a1-7c2b-7000-8000-000000000000}")]
    [InlineData("'; DROP TABLE notes; --")]
    public void A_malformed_note_id_is_malformed(string noteId)
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, [revisions[0], revisions[1] with { NoteId = noteId }, revisions[2]]), "a note id that is not a lower-case");
    }

    [Fact]
    public void A_malformed_site_id_in_a_snapshot_is_malformed()
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, [revisions[0], revisions[1] with { SiteId = "../../etc" }, revisions[2]], ChangeFileKind.Snapshot), "a malformed site id");
    }

    [Fact]
    public void A_malformed_parent_is_malformed()
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, [revisions[0], revisions[1] with { Parents = [new ParentRef(Stamp - 1, "not a site")] }, revisions[2]]), "a malformed parent");
    }

    [Fact]
    public void A_revision_without_a_title_is_malformed()
    {
        var revisions = Revisions();

        AssertMalformed(SealWithContent(revisions, [revisions[0], revisions[1] with { Title = null! }, revisions[2]]), "a missing field");
    }

    public static IEnumerable<object[]> HostilePropertyWrites()
    {
        var note = Guid.CreateVersion7().ToString();
        PropertyChange Write(string name, string value, string? entity = null, string? site = null) => new(entity ?? note, name, value, Stamp, site ?? Site);
        return new (PropertyChange Write, string Problem)[]
        {
            (Write(Properties.Pinned, "1", site: OtherSite), "a property write of another site"),
            (Write(Properties.Pinned, "1", entity: "'; DROP TABLE properties; --"), "not a lower-case UUID"),
            (Write(Properties.Pinned, "yes"), "breaks the rules of note.pinned"),
            (Write("note.colour", "red"), "breaks the rules of note.colour"),
            (Write(Properties.Notebook, "../../etc"), "breaks the rules of note.notebook"),
            (Write(Properties.TagName("rust"), "Go"), "breaks the rules of note.tag:rust"),
            (Write(Properties.TagPrefix + "a,b", "a,b"), "breaks the rules"),
            (Write(Properties.TagName(new string('x', 65)), new string('x', 65)), "breaks the rules"),
            (Write(Properties.NotebookName, ""), "breaks the rules of notebook.name"),
            (Write(Properties.NotebookName, "bad\u0000name"), "breaks the rules of notebook.name"),
            (Write(Properties.Pinned, "1") with { Hlc = HybridLogicalClock.FromPhysical(Now + (long)TimeSpan.FromDays(3).TotalMilliseconds) }, "a clock stamp outside"),
            (Write(Properties.Pinned, null!), "a missing field"),
        }.Select(c => new object[] { c.Write, c.Problem });
    }

    [Theory]
    [MemberData(nameof(HostilePropertyWrites))]
    public void A_property_write_that_breaks_the_rules_refuses_the_whole_file(PropertyChange write, string problem)
    {
        var revisions = Revisions();
        var content = new ChangeSet(revisions, [new PropertyChange(revisions[0].NoteId, Properties.Pinned, "1", Stamp, Site), write]);
        var file = ChangeFile.SealContent(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, content.FirstHlc, content.LastHlc, content.Count,
            Compress(JsonSerializer.SerializeToUtf8Bytes(content, ChangeSetJson.Default.ChangeSet)));

        AssertMalformed(file, problem);
    }

    [Fact]
    public void Version_3_content_without_its_lists_is_malformed()
    {
        var file = ChangeFile.SealContent(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, 0, 0, 0, Compress("""{"r":[]}"""u8.ToArray()));

        AssertMalformed(file, "a missing list");
    }

    private static void AssertMalformed(byte[] file, string problem)
    {
        var rejected = Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, file));
        Assert.Equal(RejectionReason.Malformed, rejected.Reason);
        Assert.Contains(problem, rejected.Detail);
    }

    /// <summary>
    /// The header <see cref="ChangeFile.Seal"/> writes for <paramref name="described"/>, with
    /// <paramref name="content"/> sealed under it by the same key, as a site with a bug, or a
    /// peer holding the passphrase, could write it.
    /// </summary>
    private static byte[] SealWithContent(NoteRevision[] described, NoteRevision[] content, ChangeFileKind kind = ChangeFileKind.Changes) =>
        ChangeFile.SealContent(Keyring, SameKeyForEverySite.Signer, kind, Site, 7, described.Min(r => r.Hlc), described.Max(r => r.Hlc), described.Length,
            Compress(JsonSerializer.SerializeToUtf8Bytes(ChangeSet.Of(content), ChangeSetJson.Default.ChangeSet)));

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest))
        {
            brotli.Write(data);
        }
        return output.ToArray();
    }
}
