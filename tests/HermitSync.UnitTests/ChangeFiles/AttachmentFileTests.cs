using System.Security.Cryptography;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Passphrase;
using HermitSync.Storage;
using NSec.Cryptography;

namespace HermitSync.UnitTests.ChangeFiles;

/// <summary>The sealed attachment format: what verifies, and every way a file is refused with its reason.</summary>
public sealed class AttachmentFileTests : IDisposable
{
    private static readonly Argon2Parameters Cheap = new() { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };
    private static readonly SyncKeyring Keyring = new("correct horse battery staple", Cheap);
    private const long Max = 10 * 1024 * 1024;

    private readonly string _folder = Directory.CreateTempSubdirectory("hermit-attachment-file-").FullName;
    private readonly string _site = SiteIds.New();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(AttachmentFile.PartBytes)]
    [InlineData((3 * AttachmentFile.PartBytes) + 17)]
    public async Task What_is_sealed_opens_whole_with_its_manifest(int size)
    {
        var (content, name, path) = await SealAsync(size);

        using var file = File.OpenHandle(path);
        var opened = AttachmentFile.Open(Keyring, file, name, Max);
        using var read = new MemoryStream();
        await opened.Content.CopyToAsync(read);

        Assert.Equal(content, read.ToArray());
        Assert.Equal((Hash(content), "photo.png", (long)size, _site), (opened.Manifest.Hash, opened.Manifest.Name, opened.Manifest.Size, opened.SiteId));
        Assert.Equal(64, name.Name.Length);
        Assert.NotEqual(Hash(content), name.Name);
    }

    [Fact]
    public async Task A_changed_byte_in_the_content_fails_its_part_before_any_of_that_part_is_given_out()
    {
        var (_, name, path) = await SealAsync(3 * AttachmentFile.PartBytes);
        Alter(path, new FileInfo(path).Length - (AttachmentFile.PartBytes / 2));

        using var file = File.OpenHandle(path);
        var opened = AttachmentFile.Open(Keyring, file, name, Max);
        var buffer = new byte[AttachmentFile.PartBytes];
        await opened.Content.ReadExactlyAsync(buffer);
        await opened.Content.ReadExactlyAsync(buffer);
        var failed = Assert.Throws<ChangeFileRejectedException>(() => opened.Content.ReadExactly(buffer));

        Assert.Equal(RejectionReason.AuthenticationFailed, failed.Reason);
        Assert.Contains("Part 3 of 3", failed.Detail);
    }

    [Theory]
    [InlineData(AttachmentFile.PartBytes + AttachmentFile.TagBytes)]
    [InlineData(1)]
    public async Task A_file_cut_short_is_truncated(int cut)
    {
        var (_, name, path) = await SealAsync(2 * AttachmentFile.PartBytes);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - cut);
        }

        Assert.Equal(RejectionReason.Truncated, Refused(path, name).Reason);
    }

    [Fact]
    public async Task Bytes_after_the_last_part_are_refused()
    {
        var (_, name, path) = await SealAsync(2 * AttachmentFile.PartBytes);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, [.. bytes, .. new byte[5]]);

        Assert.Equal(RejectionReason.Malformed, Refused(path, name).Reason);
    }

    [Fact]
    public async Task A_file_under_another_attachments_name_or_sites_folder_is_replayed()
    {
        var (_, name, path) = await SealAsync(10);
        var other = await SealAsync(11);

        Assert.Equal(RejectionReason.Replayed, Refused(path, other.Name).Reason);
        Assert.Equal(RejectionReason.Replayed, Refused(path, name with { SiteId = SiteIds.New() }).Reason);
    }

    [Fact]
    public async Task A_changed_manifest_fails()
    {
        var (_, name, path) = await SealAsync(10);

        Alter(path, AttachmentFile.HeaderBytes + 4);

        Assert.Equal(RejectionReason.AuthenticationFailed, Refused(path, name).Reason);
    }

    [Fact]
    public async Task A_file_of_version_1_opens_by_its_key_check_value_and_under_another_passphrase_is_the_wrong_key()
    {
        var (content, name, path) = await SealAsync(10, formatVersion: 1);
        var stranger = new SyncKeyring("another passphrase entirely", Cheap);

        using var file = File.OpenHandle(path);
        using var read = new MemoryStream();
        await AttachmentFile.Open(Keyring, file, name, Max).Content.CopyToAsync(read);

        Assert.Equal(content, read.ToArray());
        Assert.Equal(RejectionReason.WrongKey, Assert.Throws<ChangeFileRejectedException>(() => AttachmentFile.Open(stranger, file, name, Max)).Reason);
    }

    /// <summary>
    /// After a passphrase change, Syncthing may bring a site's attachments sealed again under the
    /// new epoch before the card or change file that says the site writes under it. So the
    /// attachment waits, unread and unrefused, and opens once the passphrase is given here.
    /// </summary>
    [Fact]
    public async Task A_file_under_an_epoch_not_held_here_waits_announced_or_not_and_opens_once_its_passphrase_is_given()
    {
        var next = SyncPassphrases.Generate();
        var writer = new SyncKeyring(SyncPassphrases.InMemory(Cheap, "correct horse battery staple", next), Cheap);
        var (content, name, path) = await SealAsync(10, writer);
        var reader = new SyncKeyring(SyncPassphrases.InMemory(Cheap, "correct horse battery staple"), Cheap);
        using var file = File.OpenHandle(path);

        var unannounced = Assert.Throws<ChangeFileDeferredException>(() => AttachmentFile.Open(reader, file, name, Max));
        Assert.True(unannounced.Unannounced);
        Assert.Empty(reader.Passphrases.NeededBy);

        reader.Passphrases.Observe(_site, writer.Passphrases.History);
        var awaiting = Assert.Throws<ChangeFileDeferredException>(() => AttachmentFile.Open(reader, file, name, Max));
        Assert.False(awaiting.Unannounced);

        Assert.Null(reader.Passphrases.Add(next));
        using var read = new MemoryStream();
        await AttachmentFile.Open(reader, file, name, Max).Content.CopyToAsync(read);
        Assert.Equal(content, read.ToArray());
    }

    [Fact]
    public async Task An_attachment_over_this_sites_limit_is_refused_before_its_content_is_read()
    {
        var (_, name, path) = await SealAsync(2048);

        using var file = File.OpenHandle(path);
        var refused = Assert.Throws<ChangeFileRejectedException>(() => AttachmentFile.Open(Keyring, file, name, maxBytes: 1024));

        Assert.Equal(RejectionReason.TooLarge, refused.Reason);
    }

    [Fact]
    public async Task Anything_but_an_attachment_is_not_one()
    {
        var path = Path.Combine(_folder, "junk");
        await File.WriteAllBytesAsync(path, RandomNumberGenerator.GetBytes(500));

        Assert.Equal(RejectionReason.NotAChangeFile, Refused(path, new AttachmentFileName(_site, new string('0', 64))).Reason);
    }

    private async Task<(byte[] Content, AttachmentFileName Name, string Path)> SealAsync(int size, SyncKeyring? keyring = null, int formatVersion = AttachmentFile.FormatVersion)
    {
        keyring ??= Keyring;
        var content = RandomNumberGenerator.GetBytes(size);
        var attachment = new Attachment(Hash(content), "photo.png", "image/png", size, DateTimeOffset.UtcNow);
        var name = AttachmentFileName.For(keyring, _site, attachment.Hash);
        var path = Path.Combine(_folder, name.FileName);
        await using (var output = File.Create(path))
        {
            await AttachmentFile.SealAsync(keyring, _site, attachment, new MemoryStream(content), output, formatVersion, CancellationToken.None);
        }
        return (content, name, path);
    }

    private static ChangeFileRejectedException Refused(string path, AttachmentFileName name)
    {
        using var file = File.OpenHandle(path);
        return Assert.Throws<ChangeFileRejectedException>(() => AttachmentFile.Open(Keyring, file, name, Max));
    }

    private static void Alter(string path, long at)
    {
        using var stream = new FileStream(path, FileMode.Open);
        stream.Position = at;
        var value = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(value ^ 0x01));
    }

    private static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
