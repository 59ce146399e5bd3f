using Microsoft.Data.Sqlite;

namespace HermitSync.AppHost.Site;

/// <summary>
/// What a restore checks before it moves anything: that the file is a whole Hermit Sync
/// database, and that it is this site's. A backup of another site would make two sites of one
/// id, each writing files under the other's names; a site whose database is gone takes the
/// backup's id, so peers see the same site.
/// </summary>
public static class SiteBackup
{
    private static readonly byte[] SqliteMagic = "SQLite format 3\0"u8.ToArray();

    /// <summary>Refuses, with the reason, a backup that cannot replace the site's database whose files are <paramref name="currentDatabases"/>.</summary>
    public static void Check(string backup, IEnumerable<string> currentDatabases)
    {
        if (!File.Exists(backup))
        {
            throw new InvalidOperationException($"There is no backup at {backup}.");
        }
        var backupSite = SiteIdOf(backup) ?? throw new InvalidOperationException($"{backup} is not a Hermit Sync backup: it holds no site id.");
        foreach (var database in currentDatabases.Where(File.Exists))
        {
            string? current;
            try
            {
                current = SiteIdOf(database);
            }
            catch (InvalidOperationException)
            {
                // A node whose file is damaged says nothing about whose site this is; another node may.
                continue;
            }
            if (current is not null && current != backupSite)
            {
                throw new InvalidOperationException(
                    $"{backup} is a backup of site {backupSite}, but this is site {current}. Restore a backup of this site, or, to take over that site on this machine, move this site's rqlite folder away first (docs/runbook.md).");
            }
            if (current is not null)
            {
                return;
            }
        }
    }

    /// <summary>The site id a SQLite database holds; null when it has none; throws when it is no whole SQLite database.</summary>
    public static string? SiteIdOf(string database)
    {
        using (var file = File.OpenRead(database))
        {
            var header = new byte[SqliteMagic.Length];
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(SqliteMagic))
            {
                throw new InvalidOperationException($"{database} is not a SQLite database.");
            }
        }
        // A copy, with its write-ahead log: SQLite writes beside a file it opens, and neither the backup nor a node's file may change.
        var copy = Directory.CreateTempSubdirectory("hermit-restore-check-");
        try
        {
            var path = Path.Combine(copy.FullName, "check.sqlite3");
            File.Copy(database, path);
            if (File.Exists(database + "-wal"))
            {
                File.Copy(database + "-wal", path + "-wal");
            }
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA quick_check";
            if (check.ExecuteScalar() as string != "ok")
            {
                throw new InvalidOperationException($"{database} is damaged: SQLite's check failed.");
            }
            // The site table is SiteIdentity's (HermitSync.Storage): one row, created with the schema.
            using var read = connection.CreateCommand();
            read.CommandText = "SELECT site_id FROM site WHERE singleton = 1";
            try
            {
                return read.ExecuteScalar() as string;
            }
            catch (SqliteException e) when (e.Message.Contains("no such table", StringComparison.Ordinal))
            {
                return null;
            }
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"{database} could not be read: {e.Message}", e);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
