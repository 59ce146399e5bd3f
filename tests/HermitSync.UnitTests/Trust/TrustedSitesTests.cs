using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using HermitSync.Storage;

namespace HermitSync.UnitTests.Trust;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TrustedSitesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hermit-trust-").FullName;
    private readonly Site _here = new();
    private readonly Site _a = new();
    private readonly Site _b = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_sites_own_card_from_a_paired_device_pins_its_key_and_one_from_an_unpaired_device_does_not()
    {
        var trusted = _here.Trusted();

        Assert.False(trusted.Consider([_a.Card()], Paired(_b)));
        Assert.Null(trusted.KeyOf(_a.Id));

        Assert.True(trusted.Consider([_a.Card()], Paired(_a)));
        Assert.Equal(_a.Key.PublicKey, trusted.KeyOf(_a.Id)!.PublicKey);
        Assert.Null(Assert.Single(trusted.Sites).VouchedBy);
    }

    [Fact]
    public void A_trusted_site_vouches_for_the_sites_it_trusts_so_a_chain_reaches_the_far_end()
    {
        // B is paired with A and with this site; A is not paired here.
        var atB = _b.Trusted();
        atB.Consider([_a.Card()], Paired(_a));
        var trusted = _here.Trusted();

        trusted.Consider([atB.OwnCard, _a.Card()], Paired(_b));

        Assert.Equal(_a.Key.PublicKey, trusted.KeyOf(_a.Id)!.PublicKey);
        Assert.Equal(_b.Id, trusted.Sites.Single(s => s.Site == _a.Id).VouchedBy);
    }

    [Fact]
    public void Another_key_for_a_pinned_site_is_not_taken_and_is_shown_as_disputed()
    {
        var trusted = _here.Trusted();
        trusted.Consider([_a.Card()], Paired(_a));
        var impostor = new Site(_a.Id, _a.Device);

        Assert.False(trusted.Consider([impostor.Card()], Paired(_a)));

        Assert.Equal(_a.Key.PublicKey, trusted.KeyOf(_a.Id)!.PublicKey);
        Assert.Equal([_a.Id], trusted.Disputed);
    }

    [Fact]
    public void A_vouch_in_a_card_not_signed_by_the_vouchers_pinned_key_teaches_nothing()
    {
        var trusted = _here.Trusted();
        trusted.Consider([_b.Card()], Paired(_b));
        // Someone else's card in B's name, vouching for a key of A's.
        var forgedB = new Site(_b.Id, _b.Device);
        var card = new SiteCard(forgedB.Statement, [_a.Statement]);

        trusted.Consider([card], Paired(_b));

        Assert.Null(trusted.KeyOf(_a.Id));
    }

    [Fact]
    public void A_sites_own_card_replaces_a_key_only_vouched_for()
    {
        var trusted = _here.Trusted();
        var wrongA = new Site(_a.Id, _a.Device);
        trusted.Consider([_b.Card(vouchingFor: wrongA.Statement)], Paired(_b));
        Assert.Equal(wrongA.Key.PublicKey, trusted.KeyOf(_a.Id)!.PublicKey);

        Assert.True(trusted.Consider([_b.Card(vouchingFor: wrongA.Statement), _a.Card()], Paired(_a, _b)));

        Assert.Equal(_a.Key.PublicKey, trusted.KeyOf(_a.Id)!.PublicKey);
        Assert.Null(trusted.Sites.Single(s => s.Site == _a.Id).VouchedBy);
    }

    [Fact]
    public void Unpairing_a_device_revokes_its_site_after_the_last_file_applied_and_pairing_it_again_lifts_that()
    {
        var trusted = _here.Trusted();
        trusted.Consider([_a.Card()], Paired(_a));

        Assert.Equal([_a.Id], trusted.Revoke(_a.Device, site => site == _a.Id ? 12 : 0));

        Assert.Equal(12, trusted.KeyOf(_a.Id)!.RevokedAfter);
        Assert.Empty(trusted.Revoke(_a.Device, _ => 99));
        Assert.Equal(12, trusted.KeyOf(_a.Id)!.RevokedAfter);
        Assert.False(trusted.Consider([_a.Card()], Paired()));
        Assert.True(trusted.Consider([_a.Card()], Paired(_a)));
        Assert.Null(trusted.KeyOf(_a.Id)!.RevokedAfter);
    }

    [Fact]
    public void A_machine_that_lost_its_key_is_trusted_with_its_new_one_only_once_unpaired_and_paired_again()
    {
        var trusted = _here.Trusted();
        trusted.Consider([_a.Card()], Paired(_a));
        var renewed = new Site(_a.Id, _a.Device);

        Assert.False(trusted.Consider([renewed.Card()], Paired(_a)));
        trusted.Revoke(_a.Device, _ => 3);
        Assert.True(trusted.Consider([renewed.Card()], Paired(_a)));

        Assert.Equal(renewed.Key.PublicKey, trusted.KeyOf(_a.Id)!.PublicKey);
        Assert.Null(trusted.KeyOf(_a.Id)!.RevokedAfter);
        Assert.Empty(trusted.Disputed);
    }

    [Fact]
    public void A_revocation_reaches_the_sites_that_trust_the_key_on_the_revokers_vouch_alone()
    {
        var atB = _b.Trusted();
        atB.Consider([_a.Card()], Paired(_a));
        var throughB = _here.Trusted();
        throughB.Consider([atB.OwnCard], Paired(_b));
        var alsoPairedWithA = new Site().Trusted();
        alsoPairedWithA.Consider([atB.OwnCard, _a.Card()], Paired(_a, _b));

        atB.Revoke(_a.Device, _ => 7);
        throughB.Consider([atB.OwnCard], Paired(_b));
        alsoPairedWithA.Consider([atB.OwnCard, _a.Card()], Paired(_a, _b));

        Assert.Equal(7, throughB.KeyOf(_a.Id)!.RevokedAfter);
        Assert.Null(alsoPairedWithA.KeyOf(_a.Id)!.RevokedAfter);
    }

    [Fact]
    public void A_revoked_sites_files_after_the_point_are_refused_as_revoked_and_those_before_still_open()
    {
        var keyring = new SyncKeyring("correct horse battery staple", new NSec.Cryptography.Argon2Parameters { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 });
        var trusted = _here.Trusted();
        trusted.Consider([_a.Card()], Paired(_a));
        trusted.Revoke(_a.Device, _ => 5);
        byte[] SignedFile(long sequence) => ChangeFile.Seal(keyring, _a.Key, ChangeFileKind.Changes, _a.Id, sequence, []);

        Assert.Empty(ChangeFile.Open(keyring, trusted, SignedFile(5)).Revisions);
        Assert.Equal(RejectionReason.Revoked, Assert.Throws<ChangeFileRejectedException>(() => ChangeFile.Open(keyring, trusted, SignedFile(6))).Reason);
    }

    [Fact]
    public void Pins_and_the_sites_own_unsigned_files_are_kept_owner_only_across_restarts()
    {
        var first = TrustedSites.Load(_folder, _here.Statement with { UnsignedThrough = 41 });
        first.Consider([_a.Card()], Paired(_a));

        // A later start counts more files written, but the unsigned ones were those before the key.
        var again = TrustedSites.Load(_folder, _here.Statement with { UnsignedThrough = 99 });

        Assert.Equal(_a.Key.PublicKey, again.KeyOf(_a.Id)!.PublicKey);
        Assert.Equal(41, again.KeyOf(_here.Id)!.UnsignedThrough);
        Assert.Equal(41, again.OwnCard.Self.UnsignedThrough);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "trusted-sites.json")));
        Assert.Throws<InvalidDataException>(() => TrustedSites.Load(_folder, new Site(_here.Id, _here.Device).Statement));
    }

    [Fact]
    public void The_signing_key_is_made_once_owner_only_and_read_back()
    {
        var folder = Path.Combine(_folder, "identity");
        using var made = SiteSigningKey.LoadOrCreate(folder);
        using var read = SiteSigningKey.LoadOrCreate(folder);

        Assert.Equal(made.PublicKey, read.PublicKey);
        Assert.Equal(made.Fingerprint, read.Fingerprint);
        Assert.Matches("^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$", made.Fingerprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "signing.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
    }

    [Fact]
    public void A_card_opens_only_whole_signed_by_its_own_key_and_in_its_own_sites_folder()
    {
        var file = _a.Card().Seal(_a.Key);

        Assert.Equal(_a.Statement, SiteCard.Open(file, _a.Id).Self with { Key = _a.Key.PublicKey });
        Assert.Equal(RejectionReason.Malformed, Assert.Throws<ChangeFileRejectedException>(() => SiteCard.Open(file, _b.Id)).Reason);
        for (var i = 0; i < file.Length; i++)
        {
            var tampered = (byte[])file.Clone();
            tampered[i] ^= 0x01;
            Assert.Throws<ChangeFileRejectedException>(() => SiteCard.Open(tampered, _a.Id));
        }
        Assert.Throws<ArgumentException>(() => _a.Card().Seal(_b.Key));
    }

    private static HashSet<string> Paired(params Site[] sites) => sites.Select(s => s.Device).ToHashSet(StringComparer.Ordinal);

    /// <summary>A site on a machine of its own: its id, its Syncthing device and its key.</summary>
    private sealed class Site(string id, string device)
    {
        private static int _devices;

        public Site() : this(SiteIds.New(), NewDevice())
        {
        }

        public string Id { get; } = id;

        public string Device { get; } = device;

        public SiteSigningKey Key { get; } = SiteSigningKey.Create();

        public SiteKeyStatement Statement => new(Id, Device, Key.PublicKey, 0);

        public TrustedSites Trusted() => TrustedSites.InMemory(Statement);

        public SiteCard Card(SiteKeyStatement? vouchingFor = null) => new(Statement, vouchingFor is null ? [] : [vouchingFor]);

        /// <summary>A well-formed device ID, different for each site: Syncthing's check digits included.</summary>
        private static string NewDevice() =>
            Exporter.Syncthing.SyncthingDeviceId.FromCertificateHash(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(Interlocked.Increment(ref _devices)))).ToString();
    }
}
