using HermitSync.Exporter.Passphrase;
using NSec.Cryptography;

namespace HermitSync.UnitTests.Passphrase;

public sealed class SyncPassphrasesTests : IDisposable
{
    private static readonly Argon2Parameters Cheap = new() { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };
    private readonly string _folder = Directory.CreateTempSubdirectory("hermit-passphrases-").FullName;
    private readonly string _first = SyncPassphrases.Generate();
    private readonly string _second = SyncPassphrases.Generate();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private SyncPassphrases Fresh() => SyncPassphrases.Load(Path.Combine(_folder, Guid.NewGuid().ToString()), Cheap);

    [Theory]
    [InlineData("password1234")]
    [InlineData("correcthorse")]
    [InlineData("hermit-sync-2026")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("qwertyuiopasdfghjkl")]
    public void A_weak_passphrase_is_refused_with_its_estimate(string weak)
    {
        var problem = Fresh().Set(weak, weak);

        Assert.NotNull(problem);
        Assert.Equal(nameof(PassphraseRequest.Passphrase), problem.Field);
        Assert.Contains("too weak", problem.Message);
    }

    [Fact]
    public void A_generated_passphrase_is_strong_and_new_each_time()
    {
        Assert.NotEqual(_first, _second);
        Assert.Matches(@"\A[A-Z2-9]{4}(-[A-Z2-9]{4}){5}\z", _first);
        Assert.True(SyncPassphrases.StrengthOf(_first) >= SyncPassphrases.MinBits, $"{_first}: {SyncPassphrases.StrengthOf(_first):0} bits");
    }

    [Fact]
    public void A_confirmation_that_differs_is_refused_and_nothing_is_kept()
    {
        var passphrases = Fresh();

        Assert.Equal(nameof(PassphraseRequest.Confirmation), passphrases.Set(_first, _first + "x")?.Field);
        Assert.False(passphrases.IsSet);
    }

    [Fact]
    public void The_first_passphrase_is_kept_owner_only_and_read_back_at_the_next_start()
    {
        var folder = Path.Combine(_folder, "identity");
        Assert.Null(SyncPassphrases.Load(folder, Cheap).Set(_first, _first));

        var again = SyncPassphrases.Load(folder, Cheap);

        Assert.Equal(_first, again.Writing?.Passphrase);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(folder, "passphrases.json")));
        }
    }

    [Fact]
    public void A_second_first_passphrase_is_refused()
    {
        var passphrases = Fresh();
        passphrases.Set(_first, _first);

        Assert.NotNull(passphrases.Set(_second, _second));
        Assert.Equal(_first, passphrases.Writing?.Passphrase);
    }

    [Fact]
    public void A_change_needs_the_current_passphrase_and_keeps_the_old_one_to_read()
    {
        var passphrases = Fresh();
        passphrases.Set(_first, _first);
        var old = passphrases.Writing!.Tag;

        Assert.Equal(nameof(PassphraseRequest.Current), passphrases.Change("not it", _second, _second)?.Field);
        Assert.Equal(nameof(PassphraseRequest.Confirmation), passphrases.Change(_first, _second, "typo")?.Field);
        Assert.Null(passphrases.Change(_first, _second, _second));

        Assert.Equal(_second, passphrases.Writing?.Passphrase);
        Assert.NotNull(passphrases.Find(old));
        Assert.Equal([old, passphrases.Writing!.Tag], passphrases.History);
        Assert.NotNull(passphrases.Change(_second, _first, _first));
    }

    [Fact]
    public void A_passphrase_no_trusted_site_writes_under_cannot_be_added_without_the_current_one()
    {
        var passphrases = Fresh();
        passphrases.Set(_first, _first);

        var problem = passphrases.Add(_second);

        Assert.NotNull(problem);
        Assert.Contains("No paired site writes under that passphrase", problem.Message);
        Assert.Single(passphrases.Epochs);
    }

    [Fact]
    public void Three_sites_follow_a_change_one_of_them_once_it_is_back_and_given_the_new_passphrase()
    {
        var (a, b, c) = (Fresh(), Fresh(), Fresh());
        foreach (var site in new[] { a, b, c })
        {
            Assert.Null(site.Set(_first, confirmation: null));
        }
        var old = a.Writing!.Tag;

        Assert.Null(a.Change(_first, _second, _second));
        var next = a.Writing!.Tag;

        // B sees A's card: it needs the new passphrase, and keeps writing under the old one meanwhile.
        Assert.False(b.Observe("site-a", a.History));
        Assert.Equal(["site-a"], b.NeededBy[next]);
        Assert.Equal(old, b.Writing!.Tag);
        Assert.Null(b.Add(_second));
        Assert.Equal(next, b.Writing!.Tag);
        Assert.Empty(b.NeededBy);

        // C was offline: back, it sees both cards, and follows once it is given the passphrase.
        c.Observe("site-a", a.History);
        c.Observe("site-b", b.History);
        Assert.Equal(["site-a", "site-b"], c.NeededBy[next]);
        Assert.Null(c.Add(_second));
        Assert.Equal(next, c.Writing!.Tag);
        Assert.NotNull(c.Find(old));
    }

    [Fact]
    public void A_site_that_joined_after_a_change_does_not_go_back_to_an_old_passphrase_it_is_given()
    {
        var (a, d) = (Fresh(), Fresh());
        a.Set(_first, null);
        a.Change(_first, _second, _second);
        var next = a.Writing!.Tag;
        d.Set(_second, null);
        var old = SyncPassphrases.InMemory(Cheap, _first).Writing!.Tag;
        // A site still on the old passphrase: D needs it to read that site's files.
        d.Observe("site-a", a.History);
        d.Observe("site-c", [old]);

        Assert.Null(d.Add(_first));

        Assert.Equal(next, d.Writing!.Tag);
    }

    [Fact]
    public void Observing_a_history_follows_it_when_the_new_passphrase_is_held_already()
    {
        var (a, b) = (Fresh(), Fresh());
        a.Set(_first, null);
        b.Set(_first, null);
        a.Change(_first, _second, _second);
        var next = a.Writing!.Tag;
        b.Observe("site-a", [.. a.History.SkipLast(1)]);
        Assert.False(b.Observe("site-x", [next]));
        Assert.Null(b.Add(_second));
        Assert.Equal(_first, b.Writing!.Passphrase);

        var changed = 0;
        b.Changed += () => changed++;
        Assert.True(b.Observe("site-a", a.History));

        Assert.Equal(next, b.Writing!.Tag);
        Assert.Equal(1, changed);
    }
}
