using System.Security.Cryptography;
using HermitSync.Storage;

namespace HermitSync.UnitTests.Attachments;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AttachmentBlobsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hermit-blobs-").FullName;

    private AttachmentBlobs Blobs => new(_root);

    [Fact]
    public async Task A_file_is_kept_under_its_sha256_owner_only_and_the_same_content_twice_is_one_file()
    {
        var content = RandomNumberGenerator.GetBytes(300_000);

        var first = await Blobs.WriteAsync(new MemoryStream(content), maxBytes: 1_000_000);
        var second = await Blobs.WriteAsync(new MemoryStream(content), maxBytes: 1_000_000);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), first.Hash);
        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(content, await File.ReadAllBytesAsync(Blobs.PathOf(first.Hash)));
        Assert.Equal(content[..AttachmentTypes.SniffBytes], first.Head);
        Assert.Equal([first.Hash], StoredHashes());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Blobs.PathOf(first.Hash)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_root, ".incoming")));
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_and_nothing_of_it_is_kept()
    {
        var error = await Assert.ThrowsAsync<AttachmentTooLargeException>(() => Blobs.WriteAsync(new MemoryStream(new byte[2049]), maxBytes: 2048));

        Assert.Contains("2 KB", error.Message);
        Assert.Empty(StoredHashes());
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Content_that_does_not_hash_to_what_was_promised_is_not_kept()
    {
        await Assert.ThrowsAsync<AttachmentHashMismatchException>(() => Blobs.WriteAsync(new MemoryStream([1, 2, 3]), 100, expectedHash: new string('0', 64)));

        Assert.Empty(StoredHashes());
    }

    [Fact]
    public void A_name_that_is_not_a_hash_never_becomes_a_path() =>
        Assert.Throws<ArgumentException>(() => Blobs.PathOf("../../etc/passwd"));

    /// <summary>The names of the files the store holds, outside its temporary folder.</summary>
    private IEnumerable<string> StoredHashes() =>
        Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).Where(f => !f.Contains(".incoming")).Select(Path.GetFileName)!;

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
