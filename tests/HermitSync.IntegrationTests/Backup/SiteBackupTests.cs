using HermitSync.AppHost.Site;
using Microsoft.Data.Sqlite;

namespace HermitSync.IntegrationTests.Backup;

/// <summary>What a restore refuses before it moves anything, on SQLite files made here.</summary>
public sealed class SiteBackupTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("hermit-site-backup-");

    [Fact]
    public void A_backup_of_this_site_or_of_a_site_whose_database_is_gone_is_taken()
    {
        var backup = Database("backup", "site-a");
        SiteBackup.Check(backup, [Database("node-1", "site-a")]);
        SiteBackup.Check(backup, [Path.Combine(_folder.FullName, "gone.sqlite")]);
        // A damaged node says nothing; the next one does.
        SiteBackup.Check(backup, [Text("node-1", "not a database"), Database("node-2", "site-a")]);
        Assert.Equal("site-a", SiteBackup.SiteIdOf(backup));
    }

    [Fact]
    public void A_backup_of_another_site_is_refused_with_both_ids()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => SiteBackup.Check(Database("backup", "site-b"), [Database("node-1", "site-a")]));
        Assert.Contains("backup of site site-b, but this is site site-a", refused.Message);
    }

    [Fact]
    public void What_is_no_hermit_sync_backup_is_refused_with_the_reason()
    {
        Assert.Contains("There is no backup", Assert.Throws<InvalidOperationException>(() => SiteBackup.Check(Path.Combine(_folder.FullName, "missing"), [])).Message);
        // rqlite would run text as SQL: it never gets that far.
        Assert.Contains("is not a SQLite database", Assert.Throws<InvalidOperationException>(() => SiteBackup.Check(Text("dump", "DROP TABLE notes;"), [])).Message);
        Assert.Contains("holds no site id", Assert.Throws<InvalidOperationException>(() => SiteBackup.Check(Database("other", siteId: null), [])).Message);
        var cut = Database("cut", "site-a");
        var whole = File.ReadAllBytes(cut);
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]);
        Assert.Throws<InvalidOperationException>(() => SiteBackup.Check(cut, []));
    }

    private string Database(string name, string? siteId)
    {
        var path = Path.Combine(_folder.FullName, name + ".sqlite3");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT); INSERT INTO notes VALUES ('n', zeroblob(20000));"
            + (siteId is null ? "" : "CREATE TABLE site (singleton INTEGER PRIMARY KEY CHECK (singleton = 1), site_id TEXT NOT NULL); INSERT INTO site VALUES (1, $site);");
        command.Parameters.AddWithValue("$site", siteId ?? "");
        command.ExecuteNonQuery();
        return path;
    }

    private string Text(string name, string content)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
