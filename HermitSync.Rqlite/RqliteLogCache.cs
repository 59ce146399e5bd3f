namespace HermitSync.Rqlite;

/// <summary>
/// rqlite 8.26 keeps the last 512 entries of its Raft log in each node's memory
/// (<c>raftLogCacheSize</c> in its store; no flag sets it), and every write is one entry. After a
/// bulk write, such as a site joining one with 100,000 notes or a large import, each node holds
/// the last 512 transactions of it (150–350 MB of a node's heap in use, measured after a join), until 512
/// later writes push them out, which on a quiet site can take weeks. Writing 512 entries that
/// change nothing pushes them out at once.
/// </summary>
public static class RqliteLogCache
{
    /// <summary>The entries each node keeps, as rqlite 8.26 fixes them.</summary>
    public const int Entries = 512;

    /// <summary>Writes sent together: the leader puts those that arrive together into one append to its log.</summary>
    private const int InFlight = 16;

    private static readonly SqlStatement Nothing = SqlStatement.Of("SELECT 1");

    /// <summary>Replaces what each node's log cache holds with entries of a few bytes.</summary>
    public static Task ReleaseAsync(this RqliteClient rqlite, CancellationToken cancellationToken = default) =>
        Parallel.ForAsync(0, Entries, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken },
            async (_, token) => await rqlite.ExecuteAsync(Nothing, idempotent: true, token));
}
