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

        var (_, opened) = ChangeFile.Open(Keyring, SealWithContent(revisions, revisions));

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

    private static void AssertMalformed(byte[] file, string problem)
    {
        var rejected = Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, file));
        Assert.Equal(RejectionReason.Malformed, rejected.Reason);
        Assert.Contains(problem, rejected.Detail);
    }

    /// <summary>
    /// The header <see cref="ChangeFile.Seal"/> writes for <paramref name="described"/>, with
    /// <paramref name="content"/> sealed under it by the same key, as a site with a bug, or a
    /// peer holding the passphrase, could write it.
    /// </summary>
    private static byte[] SealWithContent(NoteRevision[] described, NoteRevision[] content, ChangeFileKind kind = ChangeFileKind.Changes) =>
        ChangeFile.SealContent(Keyring, kind, Site, 7, described.Min(r => r.Hlc), described.Max(r => r.Hlc), described.Length,
            Compress(JsonSerializer.SerializeToUtf8Bytes(content, RevisionJson.Default.NoteRevisionArray)));

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
