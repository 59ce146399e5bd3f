using System.Globalization;
using System.Text.RegularExpressions;

namespace HermitSync.Exporter.Snapshots;

/// <summary>
/// The snapshots in the sync folder. A snapshot's name carries the Raft index it was taken
/// at, so after a restart the exporter knows what it last exported without other state.
/// Files are written under Syncthing's own temporary-name pattern, which it never syncs,
/// then renamed, so a peer never sees half a file.
/// </summary>
public sealed partial class SnapshotFolder(string path)
{
    public const string Prefix = "hermit-snapshot-";

    public string Path { get; } = path;

    public IReadOnlyList<Snapshot> List() =>
        Directory.Exists(Path)
            ? Directory.EnumerateFiles(Path, $"{Prefix}*.db")
                .Select(file => Snapshot.TryParse(file, out var snapshot) ? snapshot : null)
                .OfType<Snapshot>()
                .OrderBy(s => s.TakenAt)
                .ThenBy(s => s.AppliedIndex)
                .ToArray()
            : [];

    public async Task<Snapshot> WriteAsync(long appliedIndex, DateTimeOffset takenAt, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path);
        var name = $"{Prefix}{takenAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{appliedIndex}.db";
        var final = System.IO.Path.Combine(Path, name);
        var temporary = System.IO.Path.Combine(Path, $".syncthing.{name}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await write(file, cancellationToken);
                await file.FlushAsync(cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, final);
        }
        finally
        {
            File.Delete(temporary);
        }
        return new Snapshot(final, takenAt, appliedIndex, new FileInfo(final).Length);
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> snapshots.</summary>
    public IReadOnlyList<Snapshot> Prune(int keep)
    {
        var snapshots = List();
        var expired = snapshots.Take(Math.Max(0, snapshots.Count - keep)).ToArray();
        foreach (var snapshot in expired)
        {
            File.Delete(snapshot.FilePath);
        }
        return expired;
    }

    public sealed record Snapshot(string FilePath, DateTimeOffset TakenAt, long AppliedIndex, long Bytes)
    {
        public static bool TryParse(string filePath, out Snapshot? snapshot)
        {
            snapshot = null;
            var match = NamePattern().Match(System.IO.Path.GetFileName(filePath));
            if (!match.Success
                || !DateTimeOffset.TryParseExact(match.Groups["time"].Value, "yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var takenAt)
                || !long.TryParse(match.Groups["index"].Value, CultureInfo.InvariantCulture, out var index))
            {
                return false;
            }
            snapshot = new Snapshot(filePath, takenAt, index, new FileInfo(filePath).Length);
            return true;
        }
    }

    [GeneratedRegex(@"^hermit-snapshot-(?<time>\d{8}T\d{9}Z)-(?<index>\d+)\.db$")]
    private static partial Regex NamePattern();
}
