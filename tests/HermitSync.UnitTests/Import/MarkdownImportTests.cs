using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using HermitSync.Api.Import;

namespace HermitSync.UnitTests.Import;

/// <summary>Markdown archives as an import reads them, hostile ones included: each bad entry refused with its reason, the good ones still read.</summary>
public sealed class MarkdownImportTests : IDisposable
{
    private static readonly ImportOptions Limits = new();

    private readonly string _blobs = Directory.CreateTempSubdirectory("hermit-import-blobs-").FullName;

    private ImportedAttachments Files => new(new HermitSync.Storage.AttachmentBlobs(_blobs), maxBytes: 1024, TimeProvider.System);

    public void Dispose() => Directory.Delete(_blobs, recursive: true);

    [Fact]
    public void Files_a_note_links_to_inside_the_archive_become_its_attachments_and_nothing_outside_does()
    {
        var zip = Zip(
            ("Home/Trip.md", Utf8("![a](attachments/photo%20%282%29.png) [b](attachments/photo%20%282%29.png) ![c](../../outside.png) [d](Other.md) ![e](attachments/missing.png) ![f](https://example.org/x.png) [g](attachments/big.bin)")),
            ("Home/attachments/photo (2).png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1]),
            ("Home/attachments/big.bin", new byte[2048]),
            ("Home/Other.md", Utf8("other")),
            ("outside.png", [1]));

        var note = MarkdownImport.ReadArchive(new MemoryStream(zip), Limits, Files, _ => { }).Single(i => i.Source == "Home/Trip.md").Note!;

        var attachment = Assert.Single(note.Attachments!);
        Assert.Equal(("photo (2).png", "image/png", 9L), (attachment.Name, attachment.MediaType, attachment.Size));
        Assert.Equal($"![a]({attachment.Link}) [b]({attachment.Link}) ![c](../../outside.png) [d](Other.md) ![e](attachments/missing.png) ![f](https://example.org/x.png) [g](attachments/big.bin)", note.Body);
        Assert.True(File.Exists(new HermitSync.Storage.AttachmentBlobs(_blobs).PathOf(attachment.Hash)));
    }

    [Fact]
    public void Front_matter_gives_the_id_title_and_times_and_the_body_follows_exactly()
    {
        var id = Guid.CreateVersion7();
        var item = MarkdownImport.Read("notes/a.md", Utf8($"---\nid: {id}\ntitle: \"Plan: \\\"B\\\"\"\ncreated: 2020-01-02T03:04:05.678Z\nupdated: 2021-01-02T03:04:05Z\ntags: [x, y]\n---\n\nbody\r\nno newline at the end"));

        var note = Assert.IsType<ImportedNote>(item.Note);
        Assert.Equal((id, "Plan: \"B\"", "body\r\nno newline at the end"), (note.Id, note.Title, note.Body));
        Assert.Equal(DateTimeOffset.Parse("2020-01-02T03:04:05.678Z"), note.Created);
        Assert.Equal(DateTimeOffset.Parse("2021-01-02T03:04:05Z"), note.Updated);
    }

    [Theory]
    [InlineData("tags: [x, \"y z\"]\nnotebook: [Home, Garden]", new[] { "x", "y z" }, new[] { "Home", "Garden" })]
    [InlineData("tags: x, y z\nnotebook: Home/Garden", new[] { "x", "y z" }, new[] { "Home", "Garden" })]
    [InlineData("title: from a vault", new string[0], new[] { "vault", "Home" })]
    public void Tags_and_the_notebook_come_from_the_front_matter_else_the_folders_the_file_sits_in(string frontMatter, string[] tags, string[] notebook)
    {
        var note = MarkdownImport.Read("vault/Home/a.md", Utf8($"---\n{frontMatter}\n---\n\nbody")).Note!;

        Assert.Equal(tags, note.Tags);
        Assert.Equal(notebook, note.Notebook);
    }

    [Fact]
    public void Tags_and_notebook_names_are_made_ones_hermit_sync_keeps()
    {
        Assert.Equal(["a b", "Rust", "c  d"], ImportedLabels.Tags(["a,b", "Rust", "rust", " ", "c\"\td", new string('x', 0)]));
        Assert.Equal(64, ImportedLabels.Tags([new string('x', 100)])[0].Length);
        Assert.Equal(64, ImportedLabels.Tags(Enumerable.Range(0, 100).Select(i => $"tag {i}")).Count);
        Assert.Equal(["Work", "My  notes"], ImportedLabels.Notebook(["Work", "", "My \"notes\""]));
    }

    [Fact]
    public void A_file_without_front_matter_is_all_body_titled_by_its_name_and_gets_the_same_id_each_time()
    {
        var first = MarkdownImport.Read("folder/Shopping list.md", Utf8("- eggs\n"));
        var again = MarkdownImport.Read("folder/Shopping list.md", Utf8("- eggs\n"));

        Assert.Equal(("Shopping list", "- eggs\n"), (first.Note!.Title, first.Note.Body));
        Assert.Null(first.Note.Created);
        Assert.Equal(first.Note.Id, again.Note!.Id);
    }

    [Theory]
    [InlineData("---\nid: not-a-uuid\n---\nx", "is not a UUID")]
    [InlineData("---\ntitle: [unclosed\n---\nx", "not valid YAML")]
    public void A_broken_front_matter_refuses_that_file_with_the_reason(string text, string reason) =>
        Assert.Contains(reason, MarkdownImport.Read("a.md", Utf8(text)).Problem);

    [Fact]
    public void Broken_utf8_is_refused_with_where_it_breaks() =>
        Assert.Contains("not valid UTF-8 (at byte 3)", MarkdownImport.Read("a.md", [(byte)'a', (byte)'b', (byte)'c', 0xC3, 0x28]).Problem);

    [Fact]
    public void A_billion_laughs_in_the_front_matter_is_not_expanded()
    {
        var laughs = new StringBuilder("---\ntitle: laughs\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 'b'; level <= 'j'; level++)
        {
            laughs.Append($"{level}: &{level} [{string.Join(",", Enumerable.Repeat($"*{(char)(level - 1)}", 9))}]\n");
        }
        laughs.Append("---\nbody");

        var item = MarkdownImport.Read("a.md", Utf8(laughs.ToString()));

        Assert.Equal(("laughs", "body"), (item.Note!.Title, item.Note.Body));
    }

    [Fact]
    public void An_archive_refuses_a_zip_slip_and_a_too_large_entry_bounds_a_lying_one_and_reads_the_rest()
    {
        var zip = Zip(
            ("../../outside.md", Utf8("climbs")),
            ("/etc/rooted.md", Utf8("rooted")),
            ("big.md", new byte[Limits.MaxItemBytes + 1]),
            ("liar.md", new byte[8 * 1024 * 1024]),
            ("picture.png", [1, 2, 3]),
            ("folder/good.md", Utf8("---\ntitle: Good\n---\n\nkept")));
        // The liar's headers claim 100 bytes; it expands to 8 MiB.
        ClaimSize(zip, "liar.md", 100);

        var items = MarkdownImport.ReadArchive(new MemoryStream(zip), Limits, Files, _ => { }).ToArray();

        Assert.Equal(5, items.Length);
        Assert.Contains("zip slip", Single(items, "../../outside.md").Problem);
        Assert.Contains("zip slip", Single(items, "/etc/rooted.md").Problem);
        Assert.Contains("more than a note may hold", Single(items, "big.md").Problem);
        // Unpacked no further than it claims, if at all.
        Assert.True(Single(items, "liar.md") is { Problem: not null } or { Note.Body.Length: <= 100 });
        Assert.Equal(("Good", "kept"), (Single(items, "folder/good.md").Note!.Title, Single(items, "folder/good.md").Note!.Body));
    }

    [Fact]
    public void A_2_GiB_entry_is_refused_by_what_it_declares_without_being_read()
    {
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("huge.md", CompressionLevel.Fastest).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 2048; i++)
            {
                entry.Write(zeros);
            }
        }

        var item = Assert.Single(MarkdownImport.ReadArchive(new MemoryStream(zip.ToArray()), Limits, Files, _ => { }));

        Assert.Contains("2,147,483,648 bytes", item.Problem);
    }

    [Fact]
    public void A_file_that_is_no_zip_ends_the_import_with_the_reason()
    {
        var problem = Assert.Throws<ImportFileException>(() => MarkdownImport.ReadArchive(new MemoryStream(Utf8("just text")), Limits, Files, _ => { }).ToArray());
        Assert.Contains("not a zip archive", problem.Message);
    }

    [Fact]
    public void An_archive_that_expands_past_the_limit_ends_the_import()
    {
        var zip = Zip(Enumerable.Range(0, 5).Select(i => ($"{i}.md", new byte[1000])).ToArray());

        var items = MarkdownImport.ReadArchive(new MemoryStream(zip), new ImportOptions { MaxExpandedBytes = 2500 }, Files, _ => { });

        Assert.Contains("zip bomb", Assert.Throws<ImportFileException>(() => items.ToArray()).Message);
    }

    private static ImportItem Single(IEnumerable<ImportItem> items, string source) => Assert.Single(items, i => i.Source == source);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
        }
        return zip.ToArray();
    }

    /// <summary>Rewrites an entry's uncompressed size in its local header and its central directory record.</summary>
    private static void ClaimSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var at = 0; at + 46 < zip.Length; at++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at));
            var (nameAt, sizeAt) = signature switch
            {
                0x04034b50 => (at + 30, at + 22),
                0x02014b50 => (at + 46, at + 24),
                _ => (-1, -1),
            };
            if (nameAt > 0 && zip.AsSpan(nameAt).StartsWith(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(sizeAt), size);
            }
        }
    }
}
