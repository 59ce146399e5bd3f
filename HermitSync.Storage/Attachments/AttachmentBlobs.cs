using System.Security.Cryptography;

namespace HermitSync.Storage;

/// <summary>A file written to the blob store: its SHA-256, its size and its first bytes, which tell its type.</summary>
public sealed record StoredBlob(string Hash, long Size, byte[] Head);

/// <summary>The file was larger than the limit; nothing of it was kept.</summary>
public sealed class AttachmentTooLargeException(long limit)
    : Exception($"An attachment may be at most {AttachmentTypes.DescribeSize(limit)} ({limit} bytes; HermitSync:Attachments:MaxBytes).")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// The attachments' bytes, in the site's data directory, one file per content under the name of
/// its SHA-256 (<c>ab/abcd…</c>): the same file added twice is stored once. Only this machine
/// holds them: the cluster replicates their metadata, not their bytes (see the README).
/// A file is written under a temporary name, flushed, then renamed, so a name always holds the
/// whole content it names. Everything here is its owner's alone.
/// </summary>
public sealed class AttachmentBlobs(string root)
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;

    public string Root { get; } = root;

    private string Incoming => Path.Combine(Root, ".incoming");

    public string PathOf(string hash) =>
        AttachmentLinks.IsHash(hash) ? Path.Combine(Root, hash[..2], hash) : throw new ArgumentException($"'{hash}' is not a SHA-256 in hex.", nameof(hash));

    public bool Contains(string hash) => File.Exists(PathOf(hash));

    /// <summary>Opens a stored file for reading, or null when it is not here.</summary>
    public FileStream? OpenRead(string hash)
    {
        try
        {
            return new FileStream(PathOf(hash), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Copies <paramref name="content"/> into the store, hashing it on the way, and keeps it under
    /// its hash; at most <paramref name="maxBytes"/>, else <see cref="AttachmentTooLargeException"/>
    /// and nothing is kept. When <paramref name="expectedHash"/> is given, content that hashes to
    /// anything else is not kept either (<see cref="AttachmentHashMismatchException"/>).
    /// </summary>
    public async Task<StoredBlob> WriteAsync(Stream content, long maxBytes, string? expectedHash = null, CancellationToken cancellationToken = default)
    {
        CreateFolder(Incoming);
        var temporary = Path.Combine(Incoming, Path.GetRandomFileName());
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var head = new List<byte>(AttachmentTypes.SniffBytes);
            long size = 0;
            await using (var file = new FileStream(temporary, NewFile()))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > maxBytes)
                    {
                        throw new AttachmentTooLargeException(maxBytes);
                    }
                    sha.AppendData(buffer, 0, read);
                    head.AddRange(buffer.AsSpan(0, Math.Min(read, AttachmentTypes.SniffBytes - head.Count)));
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                file.Flush(flushToDisk: true);
            }
            var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (expectedHash is not null && hash != expectedHash)
            {
                throw new AttachmentHashMismatchException(expectedHash, hash);
            }
            var final = PathOf(hash);
            CreateFolder(Path.GetDirectoryName(final)!);
            try
            {
                File.Move(temporary, final, overwrite: false);
            }
            catch (IOException) when (File.Exists(final))
            {
                // Stored before, or by another writer just now: the name holds this content, whole.
            }
            return new StoredBlob(hash, size, [.. head]);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Removes a stored file; true when there was one.</summary>
    public bool Delete(string hash)
    {
        var path = PathOf(hash);
        if (!File.Exists(path))
        {
            return false;
        }
        File.Delete(path);
        return true;
    }

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerFolder);
        }
    }

    private static FileStreamOptions NewFile()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous, BufferSize = 0 };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }
        return options;
    }
}

/// <summary>The content did not hash to what its sender said it would.</summary>
public sealed class AttachmentHashMismatchException(string expected, string actual)
    : Exception($"The content's SHA-256 is {actual}, not {expected}.");
