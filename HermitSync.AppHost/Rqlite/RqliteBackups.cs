using System.Globalization;
using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The cluster's backups: consistent SQLite copies fetched from the leader into
/// <see cref="RqliteClusterResource.BackupDirectory"/>, owner-only. Each is written under a
/// temporary name, flushed to disk and only then renamed, so a backup that exists is whole.
/// The dashboard's are named <c>backup-…</c> and kept; the automatic ones, <c>auto-…</c>, rotate.
/// </summary>
public static class RqliteBackups
{
    public const string ManualPrefix = "backup-";

    public const string AutomaticPrefix = "auto-";

    private const string TimeFormat = "yyyyMMdd-HHmmss";

    private const string Extension = ".sqlite3";

    /// <summary>Writes a backup named <paramref name="prefix"/> and the UTC time; returns its path.</summary>
    public static async Task<string> WriteAsync(RqliteClusterResource cluster, string prefix, DateTimeOffset now, CancellationToken cancellationToken)
    {
        OwnerOnly.CreateDirectory(cluster.BackupDirectory);
        var path = Path.Combine(cluster.BackupDirectory, $"{prefix}{now.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}{Extension}");
        var partial = path + ".partial";
        try
        {
            var client = await cluster.CreateClientAsync(RqliteUser.Backup, cancellationToken, cluster.Timeouts.Transfer);
            await using (var file = new FileStream(partial, OwnerOnly.Write(FileMode.CreateNew)))
            {
                await client.BackupAsync(file, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(partial, path);
            return path;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>The automatic backups, newest first.</summary>
    public static IReadOnlyList<string> Automatic(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, $"{AutomaticPrefix}*{Extension}").Where(path => TakenAt(path) is not null).OrderByDescending(TakenAt).ToArray()
            : [];

    /// <summary>When a backup was taken, from its name; null for a file this class did not name.</summary>
    public static DateTimeOffset? TakenAt(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        var stamp = name[(name.IndexOf('-') + 1)..];
        return DateTime.TryParseExact(stamp, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var taken)
            ? new DateTimeOffset(taken, TimeSpan.Zero)
            : null;
    }

    /// <summary>Deletes the automatic backups past the newest <paramref name="keep"/>; returns what it deleted. The dashboard's are never deleted.</summary>
    public static IReadOnlyList<string> Prune(string directory, int keep)
    {
        var old = Automatic(directory).Skip(keep).ToArray();
        foreach (var path in old)
        {
            File.Delete(path);
        }
        return old;
    }
}
