using System.Diagnostics;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// The anchor of the import figures: the same notes as plain INSERTs into a plain table,
/// POSTed straight to the site's leader, 1,000 rows per transaction.
/// </summary>
public static class RawInsert
{
    public static async Task<TimeSpan> RunAsync(BenchStack stack, string site, IReadOnlyList<NoteRevision> revisions, string table)
    {
        using var leader = await stack.RqliteLeaderAsync(site);
        // The anchor is plain rqlite, so its table and statements are its own, not the app's schema.
        await leader.ExecuteAsync([SqlStatement.Of($"CREATE TABLE {table} (id TEXT PRIMARY KEY, hlc INTEGER, site_id TEXT, title TEXT, body TEXT, created_at INTEGER, updated_at INTEGER)")]);
        var started = Stopwatch.GetTimestamp();
        foreach (var batch in revisions.Chunk(1_000))
        {
            await leader.ExecuteAsync(batch.Select(r => SqlStatement.Of(
                $"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?)", r.NoteId, r.Hlc, r.SiteId, r.Title, r.Body, r.CreatedAt, r.UpdatedAt)).ToArray());
        }
        return Stopwatch.GetElapsedTime(started);
    }
}
