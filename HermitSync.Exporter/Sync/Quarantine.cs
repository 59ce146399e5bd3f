using System.Text;
using HermitSync.Exporter.ChangeFiles;
using Microsoft.Extensions.Options;

namespace HermitSync.Exporter.Sync;

/// <summary>
/// Copies of refused files, each beside a <c>.reason.txt</c>, outside the sync folder so peers
/// never see them. Copied, not moved: moving would make Syncthing delete the file on every peer,
/// the intact original at its author included. The folder has a quota, since a peer can send
/// any number of refusals: the oldest copies go first, and each eviction is counted.
/// </summary>
public sealed class Quarantine(IOptions<SyncOptions> options, TimeProvider time)
{
    private const string ReasonSuffix = ".reason.txt";
    private const int MaxNameLength = 180;
    private readonly SyncOptions _options = options.Value;
    private readonly Lock _gate = new();
    private Queue<(string Copy, long Bytes)>? _kept;
    private long _bytes;

    public string Folder => _options.QuarantineFolder;

    /// <summary>Keeps <paramref name="content"/> (when there is any, and it fits the quota) and the reason.</summary>
    public void Keep(string relativePath, byte[]? content, RejectionReason reason, string detail)
    {
        lock (_gate)
        {
            var kept = Load();
            var copy = Path.Combine(Folder, UniqueName(relativePath));
            var stored = content is not null && content.Length <= _options.QuarantineQuotaBytes ? content : [];
            WriteOwnerOnly(copy, stored);
            var note = $"{relativePath}{Environment.NewLine}{reason}: {detail}{Environment.NewLine}"
                + (content is not null && stored.Length == 0 && content.Length > 0 ? $"Its {content.Length} bytes are over the quarantine's quota and were not kept.{Environment.NewLine}" : "");
            WriteOwnerOnly(copy + ReasonSuffix, Encoding.UTF8.GetBytes(note));
            var bytes = stored.Length + Encoding.UTF8.GetByteCount(note);
            kept.Enqueue((copy, bytes));
            _bytes += bytes;
            while (_bytes > _options.QuarantineQuotaBytes && kept.Count > 1)
            {
                var (oldest, oldestBytes) = kept.Dequeue();
                File.Delete(oldest);
                File.Delete(oldest + ReasonSuffix);
                _bytes -= oldestBytes;
                SyncTelemetry.QuarantineEvictions.Add(1);
            }
        }
    }

    /// <summary>What is already there, oldest first, read once: the names start with the time they were kept.</summary>
    private Queue<(string Copy, long Bytes)> Load()
    {
        if (_kept is not null)
        {
            return _kept;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Folder);
        }
        else
        {
            Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _kept = new Queue<(string, long)>(new DirectoryInfo(Folder).EnumerateFiles()
            .Where(f => !f.Name.EndsWith(ReasonSuffix, StringComparison.Ordinal))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => (f.FullName, f.Length + (new FileInfo(f.FullName + ReasonSuffix) is { Exists: true } reason ? reason.Length : 0))));
        _bytes = _kept.Sum(k => k.Item2);
        return _kept;
    }

    /// <summary>Owner-only whatever the process's umask: a peer's file may hold anything, and so may its reason.</summary>
    private static void WriteOwnerOnly(string path, byte[] content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var file = new FileStream(path, options);
        file.Write(content);
    }

    /// <summary>The time first, so names sort by age; the entry's path flattened and cut short, since a peer chooses it.</summary>
    private string UniqueName(string relativePath)
    {
        var flat = new string(relativePath.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_').ToArray());
        var stem = $"{time.GetUtcNow():yyyyMMdd'T'HHmmssfff}-{(flat.Length > MaxNameLength ? flat[..MaxNameLength] : flat)}";
        var name = stem;
        for (var n = 2; File.Exists(Path.Combine(Folder, name)); n++)
        {
            name = $"{stem}-{n}";
        }
        return name;
    }
}
