using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using System.IO.Enumeration;
using Microsoft.Win32.SafeHandles;

namespace HermitSync.Exporter.Sync;

/// <summary>A change file found in a peer's folder, as it stood when the folder was looked at.</summary>
public sealed record FolderCandidate(string RelativePath, ChangeFileName Name, long Length, DateTime ModifiedUtc);

/// <summary>An attachment's sealed file found in a site's folder.</summary>
public sealed record AttachmentCandidate(string RelativePath, AttachmentFileName Name, long Length, DateTime ModifiedUtc);

/// <summary>A site's card found in its folder.</summary>
public sealed record CardCandidate(string RelativePath, string SiteId, long Length, DateTime ModifiedUtc);

/// <summary>What one look at the folder found: change files, attachments, sites' cards, and everything else.</summary>
public sealed record FolderScan(IReadOnlyList<FolderCandidate> Candidates, IReadOnlyList<FolderStranger> Strangers, IReadOnlyList<AttachmentCandidate> Attachments,
    IReadOnlyList<CardCandidate> Cards)
{
    public void Deconstruct(out IReadOnlyList<FolderCandidate> candidates, out IReadOnlyList<FolderStranger> strangers) =>
        (candidates, strangers) = (Candidates, Strangers);
}

/// <summary>
/// Anything else under <c>sites/</c>: refused as it stands, never opened or followed.
/// <see cref="Fingerprint"/> names what it is, so it is reported once, and again if it changes.
/// </summary>
public sealed record FolderStranger(string RelativePath, string? SiteId, RejectionReason Reason, string Detail, string Fingerprint);

/// <summary>
/// The sync folder: where change files are written once and found again. Every peer can put
/// anything here, so it is read strictly: only <c>sites/&lt;site id&gt;/&lt;change file&gt;</c>, two
/// levels down, no symbolic link followed or opened, and no file read past its length or past
/// the limit.
/// </summary>
public sealed class SyncFolder(string root)
{
    public string Root { get; } = root;

    public string Sites => Path.Combine(Root, ChangeFileName.SitesFolder);

    public string PathOf(ChangeFileName name) => Path.Combine(Root, name.RelativePath);

    public string FolderOf(string siteId) => Path.Combine(Sites, siteId);

    /// <summary>
    /// Writes under Syncthing's own temporary-file pattern, which it never syncs, flushes to disk,
    /// then renames without replacing. A peer sees the whole file or nothing, and a name is never
    /// reused: when a file already stands at the name, this returns false and writes nothing.
    /// </summary>
    public Task<bool> TryWriteOnceAsync(ChangeFileName name, byte[] content, CancellationToken cancellationToken) =>
        TryWriteOnceAsync(name.RelativePath, (file, token) => file.WriteAsync(content, token).AsTask(), cancellationToken);

    /// <summary>The same for a file that is written as a stream, such as a sealed attachment.</summary>
    public Task<bool> TryWriteOnceAsync(string relativePath, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken) =>
        WriteWholeAsync(relativePath, write, replace: false, cancellationToken);

    /// <summary>
    /// Puts <paramref name="content"/> at <paramref name="relativePath"/> in this site's own
    /// folder whole, replacing what stood there: for the one file a site rewrites, its card.
    /// </summary>
    public Task ReplaceAsync(string relativePath, byte[] content, CancellationToken cancellationToken) =>
        WriteWholeAsync(relativePath, (file, token) => file.WriteAsync(content, token).AsTask(), replace: true, cancellationToken);

    private async Task<bool> WriteWholeAsync(string relativePath, Func<Stream, CancellationToken, Task> write, bool replace, CancellationToken cancellationToken)
    {
        var final = Path.Combine(Root, relativePath);
        var directory = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".syncthing.{Path.GetFileName(final)}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await write(file, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            if (!replace && Path.Exists(final))
            {
                return false;
            }
            File.Move(temporary, final, overwrite: replace);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>This site's own change files, the ones its snapshots cover.</summary>
    public IEnumerable<ChangeFileName> FilesOf(string siteId) =>
        Scan().Candidates.Select(c => c.Name).Where(n => n.SiteId == siteId);

    /// <summary>Looks at every entry under <c>sites/</c> once, without following or opening any of them.</summary>
    public FolderScan Scan()
    {
        var candidates = new List<FolderCandidate>();
        var strangers = new List<FolderStranger>();
        var attachments = new List<AttachmentCandidate>();
        var cards = new List<CardCandidate>();
        var scan = new FolderScan(candidates, strangers, attachments, cards);
        if (!Directory.Exists(Sites))
        {
            return scan;
        }
        if (new DirectoryInfo(Sites).LinkTarget is { } sitesTarget)
        {
            strangers.Add(Stranger(ChangeFileName.SitesFolder, RejectionReason.NotARegularFile, $"The sites folder is a symbolic link to {sitesTarget}; nothing in it is read."));
            return scan;
        }
        foreach (var site in Entries(ChangeFileName.SitesFolder, strangers))
        {
            var relative = Path.Combine(ChangeFileName.SitesFolder, site.Name);
            if (site.IsLink)
            {
                strangers.Add(Stranger(relative, RejectionReason.NotARegularFile, $"A symbolic link to {LinkTarget(relative)}, where a site's folder belongs; it is not followed."));
            }
            else if (!site.IsDirectory)
            {
                strangers.Add(Stranger(relative, RejectionReason.NotAChangeFile, "A file where only sites' folders belong."));
            }
            else if (!Storage.SiteIds.IsValid(site.Name))
            {
                strangers.Add(Stranger(relative, RejectionReason.NotAChangeFile, "A folder whose name is not a site id."));
            }
            else
            {
                foreach (var entry in Entries(relative, strangers).Where(e => !IsSyncthingOwn(e.Name)))
                {
                    var path = Path.Combine(relative, entry.Name);
                    if (entry.IsLink)
                    {
                        strangers.Add(Stranger(path, RejectionReason.NotARegularFile, $"A symbolic link to {LinkTarget(path)}; it is not followed."));
                    }
                    else if (entry.IsDirectory)
                    {
                        strangers.Add(Stranger(path, RejectionReason.NotAChangeFile, "A folder inside a site's folder."));
                    }
                    else if (ChangeFileName.TryParse(path, out var name))
                    {
                        candidates.Add(new FolderCandidate(path, name!, entry.Length, entry.ModifiedUtc));
                    }
                    else if (AttachmentFileName.TryParse(path, out var attachment))
                    {
                        attachments.Add(new AttachmentCandidate(path, attachment!, entry.Length, entry.ModifiedUtc));
                    }
                    else if (entry.Name == SiteCard.FileName)
                    {
                        cards.Add(new CardCandidate(path, site.Name, entry.Length, entry.ModifiedUtc));
                    }
                    else
                    {
                        strangers.Add(Stranger(path, RejectionReason.NotAChangeFile, "Its name is not a Hermit Sync change file's, attachment's or site card's name.", entry.Length));
                    }
                }
            }
        }
        return scan;
    }

    /// <summary>What a named entry is to the importer, without waiting for a scan of the whole folder.</summary>
    public enum NamedEntry
    {
        /// <summary>Nothing to look at: gone, or Syncthing's own (a file in flight, its marker).</summary>
        Nothing,

        /// <summary>A plain file with a change file's name in a plain site folder.</summary>
        Candidate,

        /// <summary>Anything else, which only a scan of the whole folder judges and reports.</summary>
        Stranger,
    }

    /// <summary>
    /// One entry the file watcher named, looked at as the scan would: a change file's name at depth
    /// two, with no link on the way and none at the end.
    /// </summary>
    public (NamedEntry Kind, FolderCandidate? Candidate) Look(string relativePath)
    {
        if (IsSyncthingOwn(Path.GetFileName(relativePath)))
        {
            return (NamedEntry.Nothing, null);
        }
        var full = Path.Combine(Root, relativePath);
        if (!Path.Exists(full))
        {
            return (NamedEntry.Nothing, null);
        }
        if (!ChangeFileName.TryParse(relativePath, out var name))
        {
            return (NamedEntry.Stranger, null);
        }
        var file = new FileInfo(full);
        var plain = file is { Exists: true, LinkTarget: null }
            && new[] { Sites, Path.GetDirectoryName(full)! }.All(directory => new DirectoryInfo(directory).LinkTarget is null);
        return plain ? (NamedEntry.Candidate, new FolderCandidate(relativePath, name!, file.Length, file.LastWriteTimeUtc)) : (NamedEntry.Stranger, null);
    }

    /// <summary>
    /// Reads a candidate whole, or refuses it: opened without following a link and without
    /// blocking on a pipe, its length checked before a byte is read, and never read past it;
    /// a pipe or a device is refused unread. Null when it is gone.
    /// </summary>
    public byte[]? Read(FolderCandidate candidate, long maxBytes) => Read(candidate.RelativePath, maxBytes);

    /// <inheritdoc cref="Read(FolderCandidate, long)"/>
    public byte[]? Read(string relativePath, long maxBytes)
    {
        using var handle = OpenNoFollow(Path.Combine(Root, relativePath));
        if (handle is null)
        {
            return null;
        }
        long length;
        try
        {
            length = RandomAccess.GetLength(handle);
        }
        catch (NotSupportedException)
        {
            // A pipe or a device has no length to check, so it is not read at all.
            throw new ChangeFileRejectedException(RejectionReason.NotARegularFile, "A pipe or a device, not a file; it was not read.");
        }
        if (length > maxBytes)
        {
            throw new ChangeFileRejectedException(RejectionReason.TooLarge, $"{length} bytes is over the {maxBytes} byte limit; it was not read.");
        }
        var content = new byte[length];
        var read = 0;
        while (read < content.Length)
        {
            var chunk = RandomAccess.Read(handle, content.AsSpan(read), read);
            if (chunk == 0)
            {
                return content[..read];
            }
            read += chunk;
        }
        return content;
    }

    /// <summary>
    /// Opens a file to read as it is read, such as a sealed attachment: without following a link
    /// and without blocking on a pipe; a pipe or a device is refused. Null when it is gone.
    /// </summary>
    public SafeFileHandle? OpenToRead(string relativePath)
    {
        var handle = OpenNoFollow(Path.Combine(Root, relativePath));
        try
        {
            _ = handle is null ? 0 : RandomAccess.GetLength(handle);
            return handle;
        }
        catch (NotSupportedException)
        {
            handle!.Dispose();
            throw new ChangeFileRejectedException(RejectionReason.NotARegularFile, "A pipe or a device, not a file; it was not read.");
        }
    }

    /// <summary>Removes one of this site's own files from its folder, as when an attachment is collected.</summary>
    public void Remove(string relativePath) => File.Delete(Path.Combine(Root, relativePath));

    /// <summary>Syncthing's own entries in a folder it manages: its marker, ignore file, versions and files in flight, and ours.</summary>
    private static bool IsSyncthingOwn(string name) =>
        name.StartsWith(".st", StringComparison.Ordinal) || name.StartsWith(".syncthing.", StringComparison.Ordinal) || name.StartsWith("~syncthing~", StringComparison.Ordinal);

    /// <summary>One directory entry as the listing gives it: a folder's thousands of entries cost one stat each, no more.</summary>
    private readonly record struct Entry(string Name, bool IsLink, bool IsDirectory, long Length, DateTime ModifiedUtc);

    private IReadOnlyList<Entry> Entries(string relativeDirectory, List<FolderStranger> strangers)
    {
        try
        {
            // Not recursive, and a listing never follows a link: a link is reported as one.
            return new FileSystemEnumerable<Entry>(
                Path.Combine(Root, relativeDirectory),
                (ref FileSystemEntry entry) =>
                {
                    var isLink = entry.Attributes.HasFlag(FileAttributes.ReparsePoint);
                    return new Entry(entry.FileName.ToString(), isLink, !isLink && entry.IsDirectory, isLink || entry.IsDirectory ? 0 : entry.Length, entry.LastWriteTimeUtc.UtcDateTime);
                },
                new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false, AttributesToSkip = 0 }).ToArray();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            strangers.Add(Stranger(relativeDirectory, RejectionReason.Unreadable, $"Its entries cannot be listed: {e.Message}"));
            return [];
        }
    }

    private string? LinkTarget(string relativePath) => new FileInfo(Path.Combine(Root, relativePath)).LinkTarget;

    private FolderStranger Stranger(string relativePath, RejectionReason reason, string detail, long length = 0)
    {
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{reason}\0{relativePath}\0{detail}\0{length}")));
        var site = relativePath.Split(Path.DirectorySeparatorChar) is [_, var folder, ..] && Storage.SiteIds.IsValid(folder) ? folder : null;
        return new FolderStranger(relativePath, site, reason, detail, fingerprint);
    }

    private static SafeFileHandle? OpenNoFollow(string path)
    {
        var descriptor = Native.Open(path, Native.ReadOnlyNoFollow);
        if (descriptor >= 0)
        {
            return new SafeFileHandle(descriptor, ownsHandle: true);
        }
        var error = Marshal.GetLastPInvokeError();
        if (error == Native.NoSuchFile)
        {
            return null;
        }
        throw error == Native.TooManyLinks
            ? new ChangeFileRejectedException(RejectionReason.NotARegularFile, "A symbolic link; it is not followed.")
            : new ChangeFileRejectedException(RejectionReason.Unreadable, $"It cannot be opened: {Marshal.GetPInvokeErrorMessage(error)}.");
    }

    /// <summary>
    /// .NET opens files following symbolic links; <c>open(2)</c> with <c>O_NOFOLLOW</c> refuses a
    /// link at the last component, and <c>O_NONBLOCK</c> keeps a named pipe from hanging the open.
    /// </summary>
    private static class Native
    {
        public const int NoSuchFile = 2;
        public const int TooManyLinks = 40;

        private const int NonBlock = 0x800;
        private const int CloseOnExec = 0x80000;

        public static readonly int ReadOnlyNoFollow = NonBlock | CloseOnExec
            | (RuntimeInformation.ProcessArchitecture is Architecture.Arm64 ? 0x8000 : 0x20000);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        public static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    }
}
