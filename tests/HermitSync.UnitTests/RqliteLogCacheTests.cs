using System.Text;
using HermitSync.Rqlite;

namespace HermitSync.UnitTests;

public sealed class RqliteLogCacheTests
{
    private const long MiB = 1 << 20;

    private static readonly RqliteClientSettings Settings = new() { LogCacheReleaseAfterBytes = 8 * MiB, LogCacheQuietBelowBytes = MiB / 4 };

    [Fact]
    public void A_client_quiet_after_bulk_writes_releases()
    {
        var policy = new LogCacheReleasePolicy(Settings, writtenBytes: 0);

        Assert.False(policy.ShouldRelease(writtenBytes: 40 * MiB));
        Assert.True(policy.ShouldRelease(writtenBytes: 40 * MiB));
    }

    [Fact]
    public void A_client_still_writing_in_bulk_is_left_alone_until_it_goes_quiet()
    {
        var policy = new LogCacheReleasePolicy(Settings, writtenBytes: 0);

        Assert.False(policy.ShouldRelease(writtenBytes: 10 * MiB));
        Assert.False(policy.ShouldRelease(writtenBytes: 20 * MiB));
        Assert.True(policy.ShouldRelease(writtenBytes: 20 * MiB + 4096));
    }

    [Fact]
    public void A_person_editing_notes_writes_too_little_to_release()
    {
        var policy = new LogCacheReleasePolicy(Settings, writtenBytes: 0);

        for (var written = 0L; written < 4 * MiB; written += 64 << 10)
        {
            Assert.False(policy.ShouldRelease(written));
        }
    }

    [Fact]
    public void After_a_release_it_takes_as_much_again()
    {
        var policy = new LogCacheReleasePolicy(Settings, writtenBytes: 0);
        Assert.False(policy.ShouldRelease(writtenBytes: 9 * MiB));
        Assert.True(policy.ShouldRelease(writtenBytes: 9 * MiB));
        Assert.Equal(9 * MiB, policy.SinceRelease(writtenBytes: 9 * MiB));
        policy.Released(writtenBytes: 9 * MiB + 20_000);

        Assert.False(policy.ShouldRelease(writtenBytes: 12 * MiB));
        Assert.False(policy.ShouldRelease(writtenBytes: 12 * MiB));
        Assert.False(policy.ShouldRelease(writtenBytes: 18 * MiB));
        Assert.True(policy.ShouldRelease(writtenBytes: 18 * MiB));
    }

    [Fact]
    public async Task The_client_counts_what_it_sends_to_be_written_and_not_what_it_reads()
    {
        const string Done = """{"results":[{"rows_affected":1}]}""";
        var rqlite = new FakeRqlite().Json(1, Done).Json(1, """{"results":[{"columns":["n"],"types":["integer"],"values":[[1]]}]}""").Json(1, Done);
        var client = rqlite.Client(nodes: 1);

        await client.ExecuteAsync(SqlStatement.Of("INSERT INTO t VALUES (?)", new string('x', 1000)));
        await client.QueryAsync(SqlStatement.Of("SELECT count(*) FROM t"));
        await client.RequestAsync([SqlStatement.Of("DELETE FROM t")]);

        var writes = rqlite.Requests.Where(r => !r.PathAndQuery.StartsWith("/db/query", StringComparison.Ordinal));
        Assert.Equal(writes.Sum(r => (long)Encoding.UTF8.GetByteCount(r.Body!)), client.WrittenBytes);
        Assert.True(client.WrittenBytes > 1000);
    }
}
