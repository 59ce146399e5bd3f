namespace HermitSync.Storage;

/// <summary>
/// The whole schema, as the ordered steps that built it. Append new steps; never edit one that
/// has shipped, since sites that applied it will not run it again.
/// </summary>
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
        new(2, "revisions and sync",
        [
            "CREATE TABLE site (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), site_id TEXT NOT NULL)",
            """
            CREATE TABLE note_revisions (
                seq        INTEGER PRIMARY KEY,
                note_id    TEXT    NOT NULL,
                hlc        INTEGER NOT NULL,
                site_id    TEXT    NOT NULL,
                parents    TEXT    NOT NULL,
                version    INTEGER NOT NULL,
                title      TEXT    NOT NULL,
                body       TEXT    NOT NULL,
                deleted    INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                UNIQUE (note_id, hlc, site_id)
            )
            """,
            "CREATE INDEX note_revisions_by_site ON note_revisions (site_id, seq)",
            """
            CREATE TABLE note_revision_parents (
                note_id        TEXT    NOT NULL,
                parent_hlc     INTEGER NOT NULL,
                parent_site_id TEXT    NOT NULL,
                child_hlc      INTEGER NOT NULL,
                child_site_id  TEXT    NOT NULL,
                PRIMARY KEY (note_id, parent_hlc, parent_site_id, child_hlc, child_site_id)
            ) WITHOUT ROWID
            """,
            "ALTER TABLE notes ADD COLUMN hlc INTEGER NOT NULL DEFAULT 0",
            $"ALTER TABLE notes ADD COLUMN site_id TEXT NOT NULL DEFAULT '{SiteIds.BeforeSync}'",
            "ALTER TABLE notes ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE notes ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0",
            // Notes from before sync become first revisions of a placeholder site.
            "UPDATE notes SET hlc = updated_at << 16",
            """
            INSERT INTO note_revisions (note_id, hlc, site_id, parents, version, title, body, deleted, created_at, updated_at)
            SELECT id, hlc, site_id, '[]', version, title, body, 0, created_at, updated_at FROM notes
            """,
            """
            CREATE TABLE sync_exports (
                file_seq      INTEGER PRIMARY KEY,
                kind          TEXT    NOT NULL,
                file          TEXT    NOT NULL,
                through_seq   INTEGER NOT NULL,
                rows          INTEGER NOT NULL,
                bytes         INTEGER NOT NULL,
                last_hlc      INTEGER NOT NULL,
                exported_at   INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE sync_applied (
                site_id    TEXT    NOT NULL,
                kind       TEXT    NOT NULL,
                file_seq   INTEGER NOT NULL,
                file       TEXT    NOT NULL,
                rows       INTEGER NOT NULL,
                last_hlc   INTEGER NOT NULL,
                applied_at INTEGER NOT NULL,
                PRIMARY KEY (site_id, kind, file_seq)
            )
            """,
            """
            CREATE TABLE sync_rejections (
                id          INTEGER PRIMARY KEY,
                file        TEXT    NOT NULL,
                site_id     TEXT,
                reason      TEXT    NOT NULL,
                detail      TEXT    NOT NULL,
                bytes       INTEGER NOT NULL,
                rejected_at INTEGER NOT NULL
            )
            """,
        ]),
        // A refused file is remembered by what it holds, so the same name with other content is looked at again.
        new(3, "rejections by content",
        [
            "ALTER TABLE sync_rejections ADD COLUMN content_hash TEXT",
            "CREATE INDEX sync_rejections_by_content ON sync_rejections (content_hash)",
        ]),
        // Search ranks notes by their words. The index reads the notes table itself (external
        // content, keyed by its rowid), and triggers keep it current inside whatever transaction
        // writes a note: the API's, the importer's merge, a restore. Nothing here runs VACUUM,
        // which may renumber those rowids; after one, ('rebuild') makes the index anew.
        new(4, "full-text search",
        [
            """
            CREATE VIRTUAL TABLE notes_search USING fts5(
                title, body,
                content = 'notes', content_rowid = 'rowid',
                tokenize = 'unicode61 remove_diacritics 2',
                prefix = '2 3 4')
            """,
            """
            CREATE TRIGGER notes_search_insert AFTER INSERT ON notes BEGIN
                INSERT INTO notes_search (rowid, title, body) VALUES (new.rowid, new.title, new.body);
            END
            """,
            """
            CREATE TRIGGER notes_search_update AFTER UPDATE OF title, body ON notes BEGIN
                INSERT INTO notes_search (notes_search, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
                INSERT INTO notes_search (rowid, title, body) VALUES (new.rowid, new.title, new.body);
            END
            """,
            """
            CREATE TRIGGER notes_search_delete AFTER DELETE ON notes BEGIN
                INSERT INTO notes_search (notes_search, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
            END
            """,
            "INSERT INTO notes_search (notes_search) VALUES ('rebuild')",
        ]),
        // Notebooks, tags and pins are registers beside the revisions, not part of them, so that
        // moving or tagging a note never conflicts with an edit of its text. A register holds
        // only its winning write; AUTOINCREMENT keeps the exporter's cursor (seq) from ever
        // being handed out again after a row is replaced.
        new(5, "notebooks, tags, pins, links and pruned revisions",
        [
            """
            CREATE TABLE properties (
                seq       INTEGER PRIMARY KEY AUTOINCREMENT,
                entity_id TEXT    NOT NULL,
                name      TEXT    NOT NULL,
                value     TEXT    NOT NULL,
                hlc       INTEGER NOT NULL,
                site_id   TEXT    NOT NULL,
                UNIQUE (entity_id, name)
            )
            """,
            "CREATE INDEX properties_by_site ON properties (site_id, seq)",
            "CREATE INDEX properties_by_value ON properties (name, value)",
            "ALTER TABLE sync_exports ADD COLUMN through_property_seq INTEGER NOT NULL DEFAULT 0",
            // A [[link]] names a note by its title, whatever its case.
            "CREATE INDEX notes_by_title ON notes (title COLLATE NOCASE)",
            // A revision a snapshot carried without its body: replaced long ago (see RevisionSql.Snapshot).
            "ALTER TABLE note_revisions ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0",
            // How many live notes carry each label (a tag, a notebook, the pin), kept by triggers
            // inside every transaction that writes a property or a note, as the search index is:
            // counting them on each read costs seconds at 100,000 notes.
            "CREATE TABLE label_counts (name TEXT NOT NULL, value TEXT NOT NULL, notes INTEGER NOT NULL, PRIMARY KEY (name, value)) WITHOUT ROWID",
            """
            CREATE TRIGGER label_counts_property_insert AFTER INSERT ON properties
            WHEN new.name LIKE 'note.%' AND new.value <> '' AND EXISTS (SELECT 1 FROM notes WHERE id = new.entity_id AND deleted = 0)
            BEGIN
                INSERT INTO label_counts (name, value, notes) VALUES (new.name, new.value, 1)
                ON CONFLICT (name, value) DO UPDATE SET notes = notes + 1;
            END
            """,
            """
            CREATE TRIGGER label_counts_property_delete AFTER DELETE ON properties
            WHEN old.name LIKE 'note.%' AND old.value <> '' AND EXISTS (SELECT 1 FROM notes WHERE id = old.entity_id AND deleted = 0)
            BEGIN
                UPDATE label_counts SET notes = notes - 1 WHERE name = old.name AND value = old.value;
            END
            """,
            """
            CREATE TRIGGER label_counts_note_insert AFTER INSERT ON notes WHEN new.deleted = 0
            BEGIN
                INSERT INTO label_counts (name, value, notes)
                SELECT name, value, 1 FROM properties WHERE entity_id = new.id AND name LIKE 'note.%' AND value <> ''
                ON CONFLICT (name, value) DO UPDATE SET notes = notes + 1;
            END
            """,
            """
            CREATE TRIGGER label_counts_note_deleted AFTER UPDATE OF deleted ON notes WHEN old.deleted <> new.deleted
            BEGIN
                INSERT INTO label_counts (name, value, notes)
                SELECT name, value, CASE WHEN new.deleted THEN -1 ELSE 1 END FROM properties WHERE entity_id = new.id AND name LIKE 'note.%' AND value <> ''
                ON CONFLICT (name, value) DO UPDATE SET notes = notes + excluded.notes;
            END
            """,
        ]),
        // A list scans the live notes by recency, filtered by a tag, a pin or a notebook. From this
        // index alone, as it holds the ids the filters test: the rows, whose bodies may run to many
        // pages before the deleted flag, are read only for the notes shown.
        new(6, "live notes by recency",
        [
            "CREATE INDEX notes_live_by_recency ON notes (updated_at DESC, id DESC) WHERE deleted = 0",
        ]),
        // Attachments' bytes live in the data directory, named by their SHA-256; here is what they
        // are, whether this site has sealed its own into its folder, and which notes link to them.
        new(7, "attachments",
        [
            """
            CREATE TABLE attachments (
                hash       TEXT    PRIMARY KEY NOT NULL,
                name       TEXT    NOT NULL,
                media_type TEXT    NOT NULL,
                size       INTEGER NOT NULL,
                added_at   INTEGER NOT NULL,
                site_id    TEXT    NOT NULL,
                sealed_at  INTEGER
            ) WITHOUT ROWID
            """,
            "CREATE INDEX attachments_unsealed ON attachments (site_id, added_at) WHERE sealed_at IS NULL",
            """
            CREATE TABLE attachment_refs (
                hash    TEXT NOT NULL,
                note_id TEXT NOT NULL,
                PRIMARY KEY (hash, note_id)
            ) WITHOUT ROWID
            """,
        ]),
        // A list filtered by a label reads that label's live notes by recency from here, kept by
        // triggers in every transaction that writes a property or a note, as label_counts is.
        // Reading the latest notes until a page filled took as long as the newest notes without
        // the label were many: 26 ms for a tag under tens of thousands of newer untagged notes.
        // The columns are named apart from the notes table's, so filters on notes read as before.
        new(8, "live notes by label and recency",
        [
            """
            CREATE TABLE label_notes (
                name            TEXT    NOT NULL,
                note_updated_at INTEGER NOT NULL,
                note_id         TEXT    NOT NULL,
                PRIMARY KEY (name, note_updated_at, note_id)
            ) WITHOUT ROWID
            """,
            """
            CREATE TRIGGER label_notes_property_insert AFTER INSERT ON properties
            WHEN new.name LIKE 'note.%' AND new.value <> ''
            BEGIN
                INSERT INTO label_notes (name, note_updated_at, note_id)
                SELECT new.name, updated_at, id FROM notes WHERE id = new.entity_id AND deleted = 0
                ON CONFLICT DO NOTHING;
            END
            """,
            """
            CREATE TRIGGER label_notes_property_delete AFTER DELETE ON properties
            WHEN old.name LIKE 'note.%' AND old.value <> ''
            BEGIN
                DELETE FROM label_notes WHERE name = old.name AND note_id = old.entity_id
                  AND note_updated_at = (SELECT updated_at FROM notes WHERE id = old.entity_id);
            END
            """,
            """
            CREATE TRIGGER label_notes_note_insert AFTER INSERT ON notes WHEN new.deleted = 0
            BEGIN
                INSERT INTO label_notes (name, note_updated_at, note_id)
                SELECT name, new.updated_at, new.id FROM properties WHERE entity_id = new.id AND name LIKE 'note.%' AND value <> ''
                ON CONFLICT DO NOTHING;
            END
            """,
            """
            CREATE TRIGGER label_notes_note_update AFTER UPDATE OF updated_at, deleted ON notes
            WHEN old.updated_at <> new.updated_at OR old.deleted <> new.deleted
            BEGIN
                DELETE FROM label_notes WHERE note_id = old.id AND note_updated_at = old.updated_at
                  AND name IN (SELECT name FROM properties WHERE entity_id = old.id AND name LIKE 'note.%' AND value <> '');
                INSERT INTO label_notes (name, note_updated_at, note_id)
                SELECT name, new.updated_at, new.id FROM properties WHERE new.deleted = 0 AND entity_id = new.id AND name LIKE 'note.%' AND value <> ''
                ON CONFLICT DO NOTHING;
            END
            """,
            """
            CREATE TRIGGER label_notes_note_delete AFTER DELETE ON notes WHEN old.deleted = 0
            BEGIN
                DELETE FROM label_notes WHERE note_id = old.id AND note_updated_at = old.updated_at
                  AND name IN (SELECT name FROM properties WHERE entity_id = old.id AND name LIKE 'note.%' AND value <> '');
            END
            """,
            """
            INSERT INTO label_notes (name, note_updated_at, note_id)
            SELECT p.name, n.updated_at, n.id FROM properties p JOIN notes n ON n.id = p.entity_id
            WHERE n.deleted = 0 AND p.name LIKE 'note.%' AND p.value <> ''
            """,
        ]),
        // A notebook's notes are listed under the notebook's own name (OrganizationSql.ListedAs):
        // under one name for every notebook, a notebook's page was read through all the newer
        // notes of the others, 35-48 ms under an import of 10,000 notes into a notebook of its own.
        new(9, "live notes by notebook",
        [
            "DROP TRIGGER label_notes_property_insert",
            "DROP TRIGGER label_notes_property_delete",
            "DROP TRIGGER label_notes_note_insert",
            "DROP TRIGGER label_notes_note_update",
            "DROP TRIGGER label_notes_note_delete",
            $"""
            CREATE TRIGGER label_notes_property_insert AFTER INSERT ON properties
            WHEN new.name LIKE 'note.%' AND new.value <> ''
            BEGIN
                INSERT INTO label_notes (name, note_updated_at, note_id)
                SELECT {OrganizationSql.ListedAs("new")}, updated_at, id FROM notes WHERE id = new.entity_id AND deleted = 0
                ON CONFLICT DO NOTHING;
            END
            """,
            $"""
            CREATE TRIGGER label_notes_property_delete AFTER DELETE ON properties
            WHEN old.name LIKE 'note.%' AND old.value <> ''
            BEGIN
                DELETE FROM label_notes WHERE name = {OrganizationSql.ListedAs("old")} AND note_id = old.entity_id
                  AND note_updated_at = (SELECT updated_at FROM notes WHERE id = old.entity_id);
            END
            """,
            $"""
            CREATE TRIGGER label_notes_note_insert AFTER INSERT ON notes WHEN new.deleted = 0
            BEGIN
                INSERT INTO label_notes (name, note_updated_at, note_id)
                SELECT {OrganizationSql.ListedAs("properties")}, new.updated_at, new.id FROM properties
                WHERE entity_id = new.id AND name LIKE 'note.%' AND value <> ''
                ON CONFLICT DO NOTHING;
            END
            """,
            $"""
            CREATE TRIGGER label_notes_note_update AFTER UPDATE OF updated_at, deleted ON notes
            WHEN old.updated_at <> new.updated_at OR old.deleted <> new.deleted
            BEGIN
                DELETE FROM label_notes WHERE note_id = old.id AND note_updated_at = old.updated_at
                  AND name IN (SELECT {OrganizationSql.ListedAs("properties")} FROM properties WHERE entity_id = old.id AND name LIKE 'note.%' AND value <> '');
                INSERT INTO label_notes (name, note_updated_at, note_id)
                SELECT {OrganizationSql.ListedAs("properties")}, new.updated_at, new.id FROM properties
                WHERE new.deleted = 0 AND entity_id = new.id AND name LIKE 'note.%' AND value <> ''
                ON CONFLICT DO NOTHING;
            END
            """,
            $"""
            CREATE TRIGGER label_notes_note_delete AFTER DELETE ON notes WHEN old.deleted = 0
            BEGIN
                DELETE FROM label_notes WHERE note_id = old.id AND note_updated_at = old.updated_at
                  AND name IN (SELECT {OrganizationSql.ListedAs("properties")} FROM properties WHERE entity_id = old.id AND name LIKE 'note.%' AND value <> '');
            END
            """,
            $"DELETE FROM label_notes WHERE name = '{Properties.Notebook}'",
            $"""
            INSERT INTO label_notes (name, note_updated_at, note_id)
            SELECT {OrganizationSql.ListedAs("p")}, n.updated_at, n.id FROM properties p JOIN notes n ON n.id = p.entity_id
            WHERE n.deleted = 0 AND p.name = '{Properties.Notebook}' AND p.value <> ''
            """,
        ]),
    ];
}
