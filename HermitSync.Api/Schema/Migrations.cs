using HermitSync.Sync;

namespace HermitSync.Api.Schema;

/// <summary>The schema's history. Append new steps; never edit one that has shipped.</summary>
public static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "notes",
        [
            // Ids are UUIDv7 text so notes made on different sites never collide when merged.
            // Times are Unix milliseconds (UTC); version counts edits for optimistic concurrency.
            """
            CREATE TABLE notes (
                id         TEXT    PRIMARY KEY NOT NULL,
                title      TEXT    NOT NULL,
                body       TEXT    NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                version    INTEGER NOT NULL CHECK (version >= 1)
            )
            """,
            "CREATE INDEX notes_by_recency ON notes (updated_at DESC, id DESC)",
        ]),
        // Notes become the derived view of a growing set of revisions that sites exchange.
        new(2, "revisions and sync", RevisionSql.Schema),
    ];
}
