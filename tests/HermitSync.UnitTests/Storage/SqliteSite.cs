using HermitSync.Storage;

namespace HermitSync.UnitTests.Storage;

/// <summary>One site writing notes into <see cref="InMemorySqlite"/> as the API's store does, each write a second after the one before.</summary>
internal sealed class SqliteSite(int schemaVersion = int.MaxValue) : IDisposable
{
    public InMemorySqlite Db { get; } = new(schemaVersion);

    public string SiteId { get; } = SiteIds.New();

    /// <summary>The time of the last write (Unix milliseconds); set it to jump.</summary>
    public long Now { get; set; } = DateTimeOffset.Parse("2026-12-01T12:00:00Z").ToUnixTimeMilliseconds();

    public Note Create(string title, string body)
    {
        Now += 1000;
        return Db.Execute(NoteSql.Create(Guid.CreateVersion7(), title, body, HybridLogicalClock.FromPhysical(Now), SiteId, Now))!;
    }

    /// <summary>A revision made from <paramref name="basedOn"/>.</summary>
    public WriteOutcome Write(Guid id, string basedOn, bool deleted = false, bool restoring = false, string? title = null, string? body = null)
    {
        Now += 1000;
        var parent = RevisionId.Parse(basedOn);
        return Db.Execute(NoteSql.AddRevision(id, parent, [ParentRef.Of(parent)], HybridLogicalClock.FromPhysical(Now), SiteId, deleted, restoring, title, body, Now));
    }

    public void Dispose() => Db.Dispose();
}
