using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Passphrase;
using HermitSync.Exporter.Trust;
using HermitSync.Storage;
using NSec.Cryptography;

namespace HermitSync.UnitTests.ChangeFiles;

public sealed class ChangeFileTests
{
    // The real cost is 64 MiB and 3 passes; the code path is the same, the tests just run faster.
    private static readonly Argon2Parameters Cheap = new() { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };
    private static readonly SyncKeyring Keyring = new("correct horse battery staple", Cheap);
    private static readonly string Site = SiteIds.New();
    private static readonly string Device = "MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD";

    /// <summary>Trusts unsigned files through sequence 7, as a site that wrote them before it had a key.</summary>
    private static readonly SameKeyForEverySite Legacy = new(SameKeyForEverySite.Signer, unsignedThrough: 7);

    /// <summary>A clock stamp of 2025-11-24, as a real site writes them.</summary>
    private static readonly long Stamp = HybridLogicalClock.FromPhysical(1_764_000_000_000);

    private static NoteRevision[] Revisions(int count = 3) => Enumerable.Range(0, count).Select(i => new NoteRevision(
        Guid.CreateVersion7().ToString(), Stamp + i, Site, i == 0 ? [] : [new ParentRef(Stamp - 1 + i, Site)], i + 1,
        $"Title {i} <script>", $"Body {i} ünïcødé 😀", i == 2, 1_764_000_000_000, 1_764_000_000_000 + i)).ToArray();

    private static byte[] Sealed(NoteRevision[]? revisions = null) => ChangeFile.Seal(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, revisions ?? Revisions());

    [Fact]
    public void A_sealed_file_opens_to_the_same_revisions_and_header()
    {
        var revisions = Revisions();

        var (header, changes) = ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, ChangeFile.Seal(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, revisions));
        var opened = changes.Revisions;

        Assert.Equal(new ChangeFileHeader(ChangeFile.FormatVersion, ChangeFileKind.Changes, Site, 7, Stamp, Stamp + 2, 3), header);
        Assert.Equal(revisions.Length, opened.Length);
        for (var i = 0; i < revisions.Length; i++)
        {
            Assert.Equal(revisions[i] with { Parents = [] }, opened[i] with { Parents = [] });
            Assert.Equal(revisions[i].Parents, opened[i].Parents);
        }
    }

    [Fact]
    public void The_file_holds_no_plaintext()
    {
        var file = Sealed();

        Assert.DoesNotContain("Title 0", System.Text.Encoding.UTF8.GetString(file));
        Assert.DoesNotContain("Body", System.Text.Encoding.Latin1.GetString(file));
    }

    [Fact]
    public void Changing_any_single_byte_anywhere_is_rejected()
    {
        var file = Sealed();

        for (var i = 0; i < file.Length; i++)
        {
            var tampered = (byte[])file.Clone();
            tampered[i] ^= 0x01;
            var rejected = Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, tampered));
            Assert.True(Enum.IsDefined(rejected.Reason), $"byte {i}");
        }
    }

    [Fact]
    public void Every_single_byte_change_is_rejected_before_any_key_is_derived_or_anything_decrypted()
    {
        var file = Sealed();
        // A keyring that may derive no key at all: a file that got as far as needing one would be put off, not refused.
        var stingy = new SyncKeyring("correct horse battery staple", Cheap, new KeyringOptions { NewSiteBurst = 0, NewSitesPerMinute = 0.0001 });
        RejectionReason ReasonAfterFlipping(int offset, byte bit)
        {
            var tampered = (byte[])file.Clone();
            tampered[offset] ^= bit;
            return Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(stingy, SameKeyForEverySite.Keys, tampered)).Reason;
        }

        for (var offset = 0; offset < file.Length; offset++)
        {
            foreach (var bit in new byte[] { 0x01, 0x80 })
            {
                var expected = offset switch
                {
                    < 8 => RejectionReason.NotAChangeFile,
                    // Version 5 becomes 4, which is signed too: its signature is then looked for elsewhere.
                    9 when (ChangeFile.FormatVersion ^ bit) == 4 => RejectionReason.BadSignature,
                    8 or 9 => RejectionReason.UnknownVersion,
                    10 or 11 => RejectionReason.Malformed,
                    _ => RejectionReason.BadSignature,
                };
                Assert.Equal(expected, ReasonAfterFlipping(offset, bit));
            }
        }
    }

    [Fact]
    public void A_file_signed_by_another_key_than_its_sites_is_refused_though_the_passphrase_is_right()
    {
        var forger = SiteSigningKey.Create();

        var refused = Assert.Throws<ChangeFileRejectedException>(() =>
            ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, ChangeFile.Seal(Keyring, forger, ChangeFileKind.Changes, Site, 7, Revisions())));

        Assert.Equal(RejectionReason.BadSignature, refused.Reason);
    }

    [Fact]
    public void A_file_of_a_site_no_key_is_trusted_for_waits_for_one()
    {
        var keys = TrustedSites.InMemory(new SiteKeyStatement(SiteIds.New(), Device, SiteSigningKey.Create().PublicKey, 0));

        var deferred = Assert.Throws<ChangeFileDeferredException>(() => ChangeFile.Open(Keyring, keys, Sealed()));

        Assert.Null(deferred.RetryAfter);
        Assert.Equal(Site, deferred.SiteId);
    }

    [Fact]
    public void An_unsigned_file_is_read_only_up_to_the_last_its_site_wrote_before_it_had_a_key()
    {
        var legacy = Version1File(version: 2);

        Assert.Single(ChangeFile.Open(Keyring, new SameKeyForEverySite(SameKeyForEverySite.Signer, unsignedThrough: 7), legacy).Revisions);
        var refused = Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, new SameKeyForEverySite(SameKeyForEverySite.Signer, unsignedThrough: 6), legacy));
        Assert.Equal(RejectionReason.Unsigned, refused.Reason);
    }

    [Fact]
    public void A_file_sealed_under_a_passphrase_this_site_does_not_hold_waits_for_it_and_says_so()
    {
        var other = new SyncKeyring("another passphrase", Cheap);

        var deferred = Assert.Throws<ChangeFileDeferredException>(() => ChangeFile.Open(other, SameKeyForEverySite.Keys, Sealed()));

        Assert.Null(deferred.RetryAfter);
        var needed = Assert.Single(other.Passphrases.NeededBy);
        Assert.Equal(Keyring.Writing.Tag, needed.Key);
        Assert.Equal([Site], needed.Value);
    }

    [Fact]
    public void A_file_sealed_under_a_passphrase_this_site_does_not_hold_opens_once_it_is_given()
    {
        var held = SyncPassphrases.InMemory(Cheap, "another passphrase");
        var reader = new SyncKeyring(held, Cheap);
        Assert.Throws<ChangeFileDeferredException>(() => ChangeFile.Open(reader, SameKeyForEverySite.Keys, Sealed()));

        Assert.Null(held.Add("correct horse battery staple"));

        Assert.Equal(3, ChangeFile.Open(reader, SameKeyForEverySite.Keys, Sealed()).Revisions.Length);
        Assert.Empty(held.NeededBy);
    }

    [Fact]
    public void An_unsigned_file_of_an_earlier_version_under_a_passphrase_not_held_is_refused_as_such()
    {
        var rejected = Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(new SyncKeyring("another passphrase", Cheap), Legacy, Version1File()));

        Assert.Equal(RejectionReason.WrongKey, rejected.Reason);
    }

    [Fact]
    public void Only_what_routing_needs_is_in_clear_and_lengths_are_padded()
    {
        var one = Sealed([.. Revisions().Take(1)]);
        var three = ChangeFile.Seal(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, Revisions(),
            new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));

        // Magic, version, kind, flags, site, sequence and epoch are all that is the same; the nonce differs; clock stamps, rows and trace are sealed.
        Assert.Equal(one.AsSpan(0, 44).ToArray(), three.AsSpan(0, 44).ToArray());
        Assert.Equal(one.Length, three.Length);
        var stamp = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(stamp, Stamp);
        Assert.Equal(-1, three.AsSpan(0, ChangeFile.HeaderBytes).IndexOf(stamp.AsSpan(0, 6)));
    }

    [Fact]
    public void The_epoch_a_file_is_sealed_under_is_read_from_its_clear_header_and_only_from_this_format()
    {
        Assert.Equal(Keyring.Writing.Tag, ChangeFile.EpochOf(Sealed()));
        Assert.Equal(Keyring.Writing.Tag, ChangeFile.EpochOf(Sealed().AsSpan(0, ChangeFile.EpochEnd)));
        Assert.Null(ChangeFile.EpochOf(Sealed().AsSpan(0, ChangeFile.EpochEnd - 1)));
        Assert.Null(ChangeFile.EpochOf(Version1File(version: 2)));
        Assert.Null(ChangeFile.EpochOf(new byte[ChangeFile.EpochEnd]));
    }

    [Theory]
    [InlineData(1, 512)]
    [InlineData(512, 512)]
    [InlineData(513, 544)]
    [InlineData(1_000, 1_024)]
    [InlineData(100_000, 100_352)]
    [InlineData(10_000_000, 10_223_616)]
    public void Sealed_lengths_are_rounded_up_by_at_most_12_percent(int length, int padded)
    {
        Assert.Equal(padded, ChangeFile.PaddedLength(length));
        Assert.InRange(ChangeFile.PaddedLength(length), length, Math.Max(512, length * 1.12));
    }

    [Fact]
    public void Truncation_at_any_length_is_rejected()
    {
        var file = Sealed();

        for (var length = 0; length < file.Length; length++)
        {
            Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, file.AsSpan(0, length)));
        }
    }

    [Fact]
    public void The_trace_context_of_the_export_travels_in_the_header()
    {
        var export = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        var (header, _) = ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, ChangeFile.Seal(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, Revisions(), export));

        Assert.Equal(export.TraceId, header.TraceContext.TraceId);
        Assert.Equal(export.SpanId, header.TraceContext.SpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, header.TraceContext.TraceFlags);
        Assert.True(header.TraceContext.IsRemote);
    }

    [Fact]
    public void A_file_sealed_outside_any_trace_has_no_trace_context()
    {
        Assert.Equal(default, ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, Sealed()).Header.TraceContext);
    }

    /// <summary>
    /// A version 1 or 2 file written here from the format's description, not by the code under
    /// test: an array of revisions under a 104-byte header with no trace context (version 1) or
    /// a 129-byte one with zeros for it (version 2); the header is the associated data.
    /// </summary>
    private static byte[] Version1File(int version = 1)
    {
        const string site = "0123456789abcdef0123456789abcdef";
        var revision = new NoteRevision(Guid.CreateVersion7().ToString(), Stamp, site, [], 1, $"Written by version {version}", "body", false, 1_764_000_000_000, 1_764_000_000_000);
        var (_, key) = Keyring.ForOwnSite(site);
        var header = new byte[version == 1 ? ChangeFile.Version1HeaderBytes : ChangeFile.Version4HeaderBytes];
        "HRMTSYNC"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), (ushort)version);
        header[10] = (byte)ChangeFileKind.Changes;
        Convert.FromHexString(site).CopyTo(header, 12);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(28), 7);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(36), Stamp);
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(44), Stamp);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(52), 1);
        SyncKeyring.SaltFor(site).CopyTo(header, 56);
        key.Check.CopyTo(header, 72);
        RandomNumberGenerator.Fill(header.AsSpan(80, 24));
        using var compressed = new MemoryStream();
        using (var brotli = new BrotliStream(compressed, CompressionLevel.Fastest))
        {
            brotli.Write(JsonSerializer.SerializeToUtf8Bytes(new[] { revision }, RevisionJson.Default.NoteRevisionArray));
        }
        var plaintext = compressed.ToArray();
        var file = new byte[header.Length + plaintext.Length + ChangeFile.TagBytes];
        header.CopyTo(file, 0);
        AeadAlgorithm.XChaCha20Poly1305.Encrypt(key.Key, header.AsSpan(80, 24), header, plaintext, file.AsSpan(header.Length));
        return file;
    }

    [Fact]
    public void A_version_1_file_is_still_read()
    {
        var (header, changes) = ChangeFile.Open(Keyring, Legacy, Version1File());

        Assert.Equal(new ChangeFileHeader(1, ChangeFileKind.Changes, "0123456789abcdef0123456789abcdef", 7, Stamp, Stamp, 1), header);
        Assert.Equal("Written by version 1", Assert.Single(changes.Revisions).Title);
    }

    [Fact]
    public void A_version_2_file_of_revisions_alone_is_still_read()
    {
        var (header, changes) = ChangeFile.Open(Keyring, Legacy, Version1File(version: 2));

        Assert.Equal(2, header.FormatVersion);
        Assert.Equal("Written by version 2", Assert.Single(changes.Revisions).Title);
        Assert.Empty(changes.Properties);
    }

    [Fact]
    public void Property_writes_travel_beside_revisions_and_count_in_the_header()
    {
        var note = Revisions()[0];
        var tag = new PropertyChange(note.NoteId, Properties.TagName("Rust"), "Rust", Stamp + 5, Site);
        var unpinned = new PropertyChange(note.NoteId, Properties.Pinned, "", Stamp - 1, Site);

        var (header, changes) = ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, ChangeFile.Seal(Keyring, SameKeyForEverySite.Signer, ChangeFileKind.Changes, Site, 7, new ChangeSet([note], [tag, unpinned])));

        Assert.Equal((3, Stamp - 1, Stamp + 5), (header.RowCount, header.FirstHlc, header.LastHlc));
        Assert.Equal([tag, unpinned], changes.Properties);
    }

    [Fact]
    public void A_version_1_file_is_checked_as_strictly_as_ever()
    {
        var file = Version1File();

        for (var i = 0; i < file.Length; i++)
        {
            var tampered = (byte[])file.Clone();
            tampered[i] ^= 0x01;
            Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, Legacy, tampered));
        }
        for (var length = 0; length < file.Length; length++)
        {
            Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, file.AsSpan(0, length)));
        }
    }

    [Fact]
    public void A_signed_file_relabelled_as_an_unsigned_version_is_rejected()
    {
        foreach (var older in new byte[] { 1, 2, 3 })
        {
            var file = Sealed();
            file[9] = older;

            // Unsigned files after the site's first key are refused as such; before it, the bytes where an old header holds its salt are not the site's.
            Assert.Equal(RejectionReason.Unsigned, Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, file)).Reason);
            Assert.Equal(RejectionReason.WrongKey, Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, Legacy, file)).Reason);
        }
    }

    [Fact]
    public void A_future_format_version_is_rejected()
    {
        var file = Sealed();
        file[9] = ChangeFile.FormatVersion + 1;

        Assert.Equal(RejectionReason.UnknownVersion, Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, file)).Reason);
    }

    [Fact]
    public void Thousands_of_mutated_files_are_all_rejected_and_none_crashes()
    {
        var random = new Random(20261126);
        var original = Sealed();

        for (var round = 0; round < 5000; round++)
        {
            var mutated = Mutate(random, original);
            if (mutated.AsSpan().SequenceEqual(original))
            {
                continue;
            }
            // Anything but a rejection (another exception, or opening) fails the test.
            Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(Keyring, SameKeyForEverySite.Keys, mutated));
        }
    }

    private static byte[] Mutate(Random random, byte[] original)
    {
        var file = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
                file[random.Next(file.Length)] = (byte)random.Next(256);
                return file;
            case 1:
                return file[..random.Next(file.Length)];
            case 2:
                return [.. file, .. Enumerable.Range(0, random.Next(1, 64)).Select(_ => (byte)random.Next(256))];
            case 3:
                var garbage = new byte[random.Next(0, 512)];
                random.NextBytes(garbage);
                return random.Next(2) == 0 ? garbage : [.. "HRMTSYNC"u8.ToArray(), .. garbage];
            default:
                for (var i = 0; i < random.Next(2, 20); i++)
                {
                    file[random.Next(file.Length)] ^= (byte)(1 << random.Next(8));
                }
                return file;
        }
    }

    [Theory]
    [InlineData("sites/0123456789abcdef0123456789abcdef/c-000000000042.hsync", true)]
    [InlineData("sites/0123456789abcdef0123456789abcdef/s-000000000007.hsync", true)]
    [InlineData("sites/0123456789abcdef0123456789abcdef/c-42.hsync", false)]
    [InlineData("sites/0123456789ABCDEF0123456789abcdef/c-000000000042.hsync", false)]
    [InlineData("sites/0123456789abcdef0123456789abcdef/../c-000000000042.hsync", false)]
    [InlineData("elsewhere/c-000000000042.hsync", false)]
    public void Only_well_formed_names_are_change_files(string path, bool valid)
    {
        Assert.Equal(valid, ChangeFileName.TryParse(path, out var name));
        if (valid)
        {
            Assert.Equal(path, name!.RelativePath);
        }
    }
}
