using System.IO.Compression;
using System.Text;
using System.Text.Json;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Storage;
using HermitSync.UnitTests.Storage;
using NSec.Cryptography;

namespace HermitSync.UnitTests.ChangeFiles;

/// <summary>
/// Files a compromised peer could write: sealed with the right passphrase, so they decrypt, but
/// holding what no honest site would. Each is refused whole, with a reason, and costs no more
/// than the limits allow.
/// </summary>
public sealed class HostileChangeFileTests
{
    private static readonly Argon2Parameters Cheap = new() { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-12-01T12:00:00Z");
    private static readonly long Stamp = HybridLogicalClock.FromPhysical(Now.ToUnixTimeMilliseconds());
    private readonly SyncKeyring _keyring = new("correct horse battery staple", Cheap);
    private readonly string _site = SiteIds.New();

    private NoteRevision Good(int i = 0) => new(
        Guid.CreateVersion7().ToString(), Stamp + i, _site, [], 1, $"Title {i}", "Body", false, Now.ToUnixTimeMilliseconds(), Now.ToUnixTimeMilliseconds());

    private ChangeFileRejectedException Refusal(byte[] file, ChangeFileLimits? limits = null) =>
        Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(_keyring, SameKeyForEverySite.Keys, file, limits, Now));

    private byte[] Sealed(params NoteRevision[] revisions) => ChangeFile.Seal(_keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, _site, 1, revisions);

    public static TheoryData<string, Func<NoteRevision, NoteRevision>> BadRevisions() => new()
    {
        { "a clock stamp in the year 9999", r => r with { Hlc = HybridLogicalClock.FromPhysical(DateTimeOffset.Parse("9999-01-01T00:00:00Z").ToUnixTimeMilliseconds()) } },
        { "the smallest clock stamp there is", r => r with { Hlc = long.MinValue } },
        { "the largest clock stamp there is", r => r with { Hlc = long.MaxValue } },
        { "a clock two days ahead", r => r with { Hlc = HybridLogicalClock.FromPhysical((Now + TimeSpan.FromDays(2)).ToUnixTimeMilliseconds()) } },
        { "a clock stamp from 1970", r => r with { Hlc = 1000 } },
        { "an update time in the year 9999", r => r with { UpdatedAt = DateTimeOffset.Parse("9999-01-01T00:00:00Z").ToUnixTimeMilliseconds() } },
        { "a negative creation time", r => r with { CreatedAt = -1 } },
        { "an upper-case note id", r => r with { NoteId = r.NoteId.ToUpperInvariant() } },
        { "a note id in braces", r => r with { NoteId = $"{{{r.NoteId}}}" } },
        { "a note id that is no UUID", r => r with { NoteId = "../../etc/passwd" } },
        { "a 10 MiB title", r => r with { Title = new string('t', 10 * 1024 * 1024) } },
        { "an empty title", r => r with { Title = "  " } },
        { "a body over 1 MiB", r => r with { Body = new string('b', (1024 * 1024) + 1) } },
        { "100,000 parents", r => r with { Parents = Enumerable.Range(0, 100_000).Select(i => new ParentRef(Stamp - i - 1, r.SiteId)).ToArray() } },
        { "a parent from the year 9999", r => r with { Parents = [new ParentRef(long.MaxValue, r.SiteId)] } },
        { "a parent with an upper-case site", r => r with { Parents = [new ParentRef(Stamp - 1, r.SiteId.ToUpperInvariant())] } },
        { "version 0", r => r with { Version = 0 } },
    };

    [Theory]
    [MemberData(nameof(BadRevisions))]
    public void A_file_with_one_bad_revision_among_good_ones_is_refused_whole(string what, Func<NoteRevision, NoteRevision> spoil)
    {
        var file = Sealed(Good(0), spoil(Good(1)), Good(2));

        var refused = Refusal(file);

        Assert.True(refused.Reason == RejectionReason.Malformed, $"{what}: {refused.Reason} {refused.Detail}");
    }

    [Fact]
    public void A_revision_of_another_site_is_refused_in_a_snapshot_as_in_changes()
    {
        var forged = Good(1) with { SiteId = SiteIds.New() };

        foreach (var kind in new[] { ChangeFileKind.Changes, ChangeFileKind.Snapshot })
        {
            var refused = Refusal(ChangeFile.Seal(_keyring, SameKeyForEverySite.Signer, kind, _site, 1, [Good(0), forged]));
            Assert.Equal(RejectionReason.Malformed, refused.Reason);
            Assert.Contains("another site", refused.Detail);
        }
    }

    [Fact]
    public void A_header_that_disagrees_with_the_rows_is_refused()
    {
        var rows = new[] { Good(0), Good(1) };
        var content = Compress(JsonSerializer.SerializeToUtf8Bytes(ChangeSet.Of(rows), ChangeSetJson.Default.ChangeSet));

        var wrongCount = ChangeFile.SealContent(_keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, _site, 1, Stamp, Stamp + 1, 3, content);
        var wrongRange = ChangeFile.SealContent(_keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, _site, 1, Stamp - 5, Stamp + 1, 2, content);

        Assert.Contains("header says 3 rows", Refusal(wrongCount).Detail);
        Assert.Contains("clock stamps", Refusal(wrongRange).Detail);
    }

    [Fact]
    public void A_compression_bomb_stops_at_the_limit_and_is_refused_as_too_large()
    {
        // 256 MiB of zeros in a few hundred kilobytes; the limit here is 4 MiB.
        var bomb = Compress(new byte[256 * 1024 * 1024]);
        var file = ChangeFile.SealContent(_keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, _site, 1, Stamp, Stamp, 1, bomb);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var refused = Refusal(file, new ChangeFileLimits { MaxContentBytes = 4 * 1024 * 1024 });

        Assert.Equal(RejectionReason.TooLarge, refused.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L * 1024 * 1024, "the bomb was expanded past the limit");
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_anything_else()
    {
        var refused = Refusal(Sealed(Good()), new ChangeFileLimits { MaxFileBytes = 100 });

        Assert.Equal(RejectionReason.TooLarge, refused.Reason);
    }

    [Fact]
    public void An_altered_salt_is_refused_by_the_signature_without_deriving_a_key()
    {
        // No derivations allowed at all: a file that needed one would be put off, not refused.
        var stingy = new SyncKeyring("correct horse battery staple", Cheap, new KeyringOptions { NewSiteBurst = 0, NewSitesPerMinute = 0.0001 });
        var file = Sealed(Good());
        Random.Shared.NextBytes(file.AsSpan(56, SyncKeyring.SaltBytes));

        var refused = Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(stingy, SameKeyForEverySite.Keys, file, now: Now));

        Assert.Equal(RejectionReason.BadSignature, refused.Reason);
    }

    [Fact]
    public void Keys_for_new_sites_are_rate_limited_and_the_file_is_put_off_not_refused()
    {
        var time = new ManualTime(Now);
        var reader = new SyncKeyring("correct horse battery staple", Cheap, new KeyringOptions { NewSiteBurst = 2, NewSitesPerMinute = 6 }, time);
        var files = Enumerable.Range(0, 3).Select(_ => SealedBy(SiteIds.New())).ToArray();

        ChangeFile.Open(reader, SameKeyForEverySite.Keys, files[0], now: Now);
        ChangeFile.Open(reader, SameKeyForEverySite.Keys, files[1], now: Now);
        var deferred = Assert.Throws<ChangeFileDeferredException>(() => ChangeFile.Open(reader, SameKeyForEverySite.Keys, files[2], now: Now));
        time.Now += deferred.RetryAfter!.Value;

        Assert.InRange(deferred.RetryAfter!.Value, TimeSpan.FromSeconds(9), TimeSpan.FromSeconds(11));
        Assert.Single(ChangeFile.Open(reader, SameKeyForEverySite.Keys, files[2], now: Now).Revisions);
    }

    [Fact]
    public void A_flood_of_new_sites_never_pushes_out_the_key_of_a_site_that_verified()
    {
        var time = new ManualTime(Now);
        // Exactly enough derivations for the peer and the flood, and no more.
        var reader = new SyncKeyring("correct horse battery staple", Cheap, new KeyringOptions { NewSiteBurst = 51, NewSitesPerMinute = 0.0001, UnverifiedKeys = 4 }, time);
        var peer = SiteIds.New();
        ChangeFile.Open(reader, SameKeyForEverySite.Keys, SealedBy(peer), now: Now);
        foreach (var stranger in Enumerable.Range(0, 50).Select(_ => SiteIds.New()))
        {
            // Its header's row count is wrong: each costs a derivation and then is refused.
            var lying = ChangeFile.SealContent(new SyncKeyring("correct horse battery staple", Cheap), SameKeyForEverySite.Signer, ChangeFileKind.Changes, stranger, 1, Stamp, Stamp, 99,
                Compress(JsonSerializer.SerializeToUtf8Bytes(ChangeSet.Of([Good() with { SiteId = stranger }]), ChangeSetJson.Default.ChangeSet)));
            Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(reader, SameKeyForEverySite.Keys, lying, now: Now));
        }
        // The peer's key is still there, though no derivation is left to make it again; a new site's is not.
        Assert.NotNull(reader.ForPeer(peer, reader.Writing, out _));
        Assert.Null(reader.ForPeer(SiteIds.New(), reader.Writing, out _));
    }

    private byte[] SealedBy(string site) =>
        ChangeFile.Seal(new SyncKeyring("correct horse battery staple", Cheap), SameKeyForEverySite.Signer, ChangeFileKind.Changes, site, 1, [Good() with { SiteId = site }]);

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
