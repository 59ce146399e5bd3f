using HermitSync.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace HermitSync.UnitTests.Storage;

public sealed class MigrationTests
{
    [Fact]
    public void Shipped_migrations_are_numbered_without_gaps() =>
        SchemaMigrator.EnsureOrdered(Migrations.All);

    [Fact]
    public void Gaps_are_refused() =>
        Assert.Throws<InvalidOperationException>(() => SchemaMigrator.EnsureOrdered([new(1, "a", ["SELECT 1"]), new(3, "c", ["SELECT 1"])]));

    [Fact]
    public async Task Only_pending_migrations_run_each_in_one_transaction_with_its_bookkeeping_row()
    {
        var rqlite = new FakeRqlite()
            .Json(1, """{"results":[{}]}""")
            .Json(1, """{"results":[{"columns":["version"],"types":["integer"],"values":[[1]]}]}""")
            .Json(1, """{"results":[{},{"rows_affected":1}]}""");
        var migrations = new Migration[] { new(1, "one", ["CREATE TABLE one (x)"]), new(2, "two", ["CREATE TABLE two (x)"]) };

        var applied = await new SchemaMigrator(rqlite.Client(), NullLogger<SchemaMigrator>.Instance).MigrateAsync(migrations);

        Assert.Equal(1, applied);
        var last = rqlite.Requests[^1];
        Assert.Equal("/db/execute?transaction", last.PathAndQuery);
        Assert.Contains("CREATE TABLE two (x)", last.Body);
        Assert.Contains("INSERT INTO schema_migrations", last.Body);
        Assert.DoesNotContain("CREATE TABLE one", string.Concat(rqlite.Requests.Select(r => r.Body)));
    }

    [Theory]
    [InlineData("""{"results":[{"error":"no such table: schema_migrations"}]}""", false)]
    [InlineData("""{"results":[{"columns":["version"],"types":["integer"],"values":[[1]]}]}""", false)]
    [InlineData("""{"results":[{"columns":["version"],"types":["integer"],"values":[[2],[1]]}]}""", true)]
    public async Task A_database_is_current_once_every_migration_is_applied(string answer, bool current)
    {
        var rqlite = new FakeRqlite().Json(1, answer);
        var migrations = new Migration[] { new(1, "one", ["CREATE TABLE one (x)"]), new(2, "two", ["CREATE TABLE two (x)"]) };

        Assert.Equal(current, await new SchemaMigrator(rqlite.Client(), NullLogger<SchemaMigrator>.Instance).IsCurrentAsync(migrations));
    }

    [Fact]
    public async Task Any_other_failure_to_read_the_applied_migrations_is_not_taken_for_an_empty_database()
    {
        var rqlite = new FakeRqlite().Json(1, """{"results":[{"error":"disk I/O error"}]}""");

        await Assert.ThrowsAsync<HermitSync.Rqlite.RqliteStatementException>(() =>
            new SchemaMigrator(rqlite.Client(), NullLogger<SchemaMigrator>.Instance).IsCurrentAsync([new(1, "one", ["CREATE TABLE one (x)"])]));
    }

    [Fact]
    public async Task A_migration_another_instance_applied_first_is_not_an_error()
    {
        var rqlite = new FakeRqlite()
            .Json(1, """{"results":[{}]}""")
            .Json(1, """{"results":[{"columns":["version"],"types":["integer"],"values":[]}]}""")
            .Json(1, """{"results":[{"error":"table one already exists"}]}""")
            .Json(1, """{"results":[{"columns":["version"],"types":["integer"],"values":[[1]]}]}""");

        var applied = await new SchemaMigrator(rqlite.Client(), NullLogger<SchemaMigrator>.Instance).MigrateAsync([new(1, "one", ["CREATE TABLE one (x)"])]);

        Assert.Equal(0, applied);
    }
}
