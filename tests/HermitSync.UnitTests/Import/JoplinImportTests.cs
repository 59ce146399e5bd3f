using System.Formats.Tar;
using System.Text;
using HermitSync.Api.Import;

namespace HermitSync.UnitTests.Import;

/// <summary>Joplin exports (a tar of raw items, as Joplin's serializer writes them), and hostile ones.</summary>
public sealed class JoplinImportTests : IDisposable
{
    private const string NoteId = "0f3c2e1d9b8a47f6a5e4d3c2b1a09f8e";

    private readonly string _blobs = Directory.CreateTempSubdirectory("hermit-joplin-blobs-").FullName;

    public void Dispose() => Directory.Delete(_blobs, recursive: true);

    [Fact]
    public void A_note_keeps_its_joplin_id_title_body_and_times_and_its_resources_become_its_attachments()
    {
        var items = Read(Jex(
            ($"{NoteId}.md", Item("Groceries", "- eggs\n- milk\n\n![photo](:/9a8b7c6d5e4f43210fedcba987654321)", NoteId, "1",
                "created_time: 2019-10-21T09:43:46.305Z\nupdated_time: 2019-10-22T10:00:00.000Z\nparent_id: 11111111111111111111111111111111")),
            ("11111111111111111111111111111111.md", Item("Notebook", null, "11111111111111111111111111111111", "2")),
            ("9a8b7c6d5e4f43210fedcba987654321.md", Item("photo.png", null, "9a8b7c6d5e4f43210fedcba987654321", "4")),
            ("resources/9a8b7c6d5e4f43210fedcba987654321.png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3 })));

        var note = Assert.Single(items).Note!;
        Assert.Equal(Guid.ParseExact(NoteId, "N"), note.Id);
        var photo = Assert.Single(note.Attachments!);
        Assert.Equal(("photo.png", "image/png", 11L), (photo.Name, photo.MediaType, photo.Size));
        Assert.Equal(("Groceries", $"- eggs\n- milk\n\n![photo]({photo.Link})"), (note.Title, note.Body));
        Assert.True(File.Exists(new HermitSync.Storage.AttachmentBlobs(_blobs).PathOf(photo.Hash)));
        Assert.Equal(DateTimeOffset.Parse("2019-10-21T09:43:46.305Z"), note.Created);
        Assert.Equal(DateTimeOffset.Parse("2019-10-22T10:00:00Z"), note.Updated);
    }

    [Fact]
    public void A_note_comes_into_its_nested_notebook_with_its_tags_whatever_order_the_archive_holds_them_in()
    {
        const string work = "11111111111111111111111111111111", projects = "22222222222222222222222222222222", tag = "33333333333333333333333333333333";
        var items = Read(Jex(
            ($"{NoteId}.md", Item("Plan", "text", NoteId, "1", $"parent_id: {projects}")),
            ("44444444444444444444444444444444.md", Item("", null, "44444444444444444444444444444444", "6", $"note_id: {NoteId}\ntag_id: {tag}")),
            ($"{tag}.md", Item("urgent", null, tag, "5")),
            ($"{projects}.md", Item("Projects", null, projects, "2", $"parent_id: {work}")),
            ($"{work}.md", Item("Work", null, work, "2", "parent_id: "))));

        var note = Assert.Single(items).Note!;
        Assert.Equal(["Work", "Projects"], note.Notebook);
        Assert.Equal(["urgent"], note.Tags);
    }

    [Fact]
    public void Notebooks_whose_parents_loop_end_the_path_instead_of_the_import()
    {
        const string left = "11111111111111111111111111111111", right = "22222222222222222222222222222222";
        var items = Read(Jex(
            ($"{NoteId}.md", Item("Plan", "text", NoteId, "1", $"parent_id: {left}")),
            ($"{left}.md", Item("Left", null, left, "2", $"parent_id: {right}")),
            ($"{right}.md", Item("Right", null, right, "2", $"parent_id: {left}"))));

        Assert.Equal(["Right", "Left"], Assert.Single(items).Note!.Notebook);
    }

    [Fact]
    public void Bad_items_are_refused_each_with_its_reason_and_the_good_one_comes_in()
    {
        var items = Read(Jex(
            ("../../escape.md", Utf8(Item("climbs", "x", NoteId, "1"))),
            ("encrypted.md", Utf8(Item("", null, "22222222222222222222222222222222", "1", "encryption_applied: 1\nencryption_cipher_text: JED01..."))),
            ("noid.md", Utf8(Item("no id", "x", "not-hex", "1"))),
            ("notype.md", Utf8("just a title\n\nno properties\n\nfoo: bar")),
            ("broken.md", new byte[] { 0xC3, 0x28 }),
            ("big.md", new byte[new ImportOptions().MaxItemBytes + 1]),
            ($"{NoteId}.md", Utf8(Item("good", "kept", NoteId, "1")))));

        Assert.Contains("tar slip", Reason(items, "../../escape.md"));
        Assert.Contains("encrypted by Joplin", Reason(items, "encrypted.md"));
        Assert.Contains("32 hexadecimal digits", Reason(items, "noid.md"));
        Assert.Contains("no type_", Reason(items, "notype.md"));
        Assert.Contains("UTF-8", Reason(items, "broken.md"));
        Assert.Contains("more than a note may hold", Reason(items, "big.md"));
        Assert.Equal("kept", Assert.Single(items, i => i.Note is not null).Note!.Body);
    }

    [Fact]
    public void A_file_that_is_no_tar_ends_the_import_with_the_reason() =>
        Assert.Contains("not a Joplin export", Assert.Throws<ImportFileException>(() => Read(Utf8(new string('x', 2000)))).Message);

    private static string Reason(IEnumerable<ImportItem> items, string source) => Assert.Single(items, i => i.Source == source).Problem!;

    private List<ImportItem> Read(byte[] jex) =>
        JoplinImport.Read(new MemoryStream(jex), new ImportOptions(), new ImportedAttachments(new HermitSync.Storage.AttachmentBlobs(_blobs), 1024 * 1024, TimeProvider.System), _ => { }).ToList();

    /// <summary>An item as Joplin serializes it: title, blank line, body, blank line, properties.</summary>
    private static string Item(string title, string? body, string id, string type, string more = "") =>
        $"{title}\n\n{(body is null ? "" : $"{body}\n\n")}id: {id}\n{(more.Length > 0 ? $"{more}\n" : "")}is_conflict: 0\nmarkup_language: 1\ntype_: {type}";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Jex(params (string Name, object Content)[] entries)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var bytes = content as byte[] ?? Utf8((string)content);
                writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }
        return tar.ToArray();
    }
}
