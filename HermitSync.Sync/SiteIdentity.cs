using HermitSync.Rqlite;

namespace HermitSync.Sync;

/// <summary>This site's stable id, kept in its own database so it survives restarts.</summary>
public sealed record SiteIdentity(string SiteId)
{
    /// <summary>Creates the id on first use (the API does this after its migrations), then reads it.</summary>
    public static async Task<SiteIdentity> EnsureAsync(RqliteClient rqlite, CancellationToken cancellationToken)
    {
        await rqlite.ExecuteAsync(SqlStatement.Of("INSERT INTO site (singleton, site_id) VALUES (1, ?) ON CONFLICT DO NOTHING", SiteIds.New()), idempotent: true, cancellationToken);
        return await ReadAsync(rqlite, cancellationToken) ?? throw new InvalidOperationException("The site id was not stored.");
    }

    public static async Task<SiteIdentity?> ReadAsync(RqliteClient rqlite, CancellationToken cancellationToken)
    {
        var result = await rqlite.QueryAsync(SqlStatement.Of("SELECT site_id FROM site WHERE singleton = 1"), ReadConsistency.Linearizable, cancellationToken);
        return result.Rows.Count == 0 ? null : new SiteIdentity(result.Rows[0].GetString(0));
    }
}
