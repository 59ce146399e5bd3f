using HermitSync.Rqlite;

namespace HermitSync.Storage;

/// <summary>This site's stable id, kept in its own database so it survives restarts.</summary>
public sealed record SiteIdentity(string SiteId)
{
    private static readonly SqlQuery<SiteIdentity?> Stored = SqlQuery.FirstOrDefault(
        SqlStatement.Of("SELECT site_id FROM site WHERE singleton = 1"), row => new SiteIdentity(row.GetString(0)));

    private static SqlStatement CreateOnce(string siteId) =>
        SqlStatement.Of("INSERT INTO site (singleton, site_id) VALUES (1, ?) ON CONFLICT DO NOTHING", siteId);

    /// <summary>Creates the id on first use (the API does this after its migrations), then reads it.</summary>
    public static async Task<SiteIdentity> EnsureAsync(RqliteClient rqlite, CancellationToken cancellationToken)
    {
        await rqlite.ExecuteAsync(CreateOnce(SiteIds.New()), idempotent: true, cancellationToken);
        return await ReadAsync(rqlite, cancellationToken) ?? throw new InvalidOperationException("The site id was not stored.");
    }

    public static Task<SiteIdentity?> ReadAsync(RqliteClient rqlite, CancellationToken cancellationToken) =>
        rqlite.QueryAsync(Stored, ReadConsistency.Linearizable, cancellationToken);
}
