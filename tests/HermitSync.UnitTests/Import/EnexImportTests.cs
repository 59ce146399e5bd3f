using System.Security.Cryptography;
using System.Text;
using HermitSync.Api.Import;

namespace HermitSync.UnitTests.Import;

/// <summary>
/// Evernote exports as Evernote writes them (a DOCTYPE, CDATA content with its own ENML
/// DOCTYPE, base64 resources named by the MD5 their en-media carries), and hostile variants.
/// </summary>
public sealed class EnexImportTests : IDisposable
{
    private readonly string _blobs = Directory.CreateTempSubdirectory("hermit-enex-blobs-").FullName;

    private HermitSync.Storage.AttachmentBlobs Blobs => new(_blobs);

    /// <summary>At most 400,000 bytes an attachment, so a larger resource is one an import cannot keep.</summary>
    private ImportedAttachments Files => new(Blobs, maxBytes: 400_000, TimeProvider.System);

    public void Dispose() => Directory.Delete(_blobs, recursive: true);

    private IEnumerable<string> StoredHashes() =>
        Directory.EnumerateFiles(_blobs, "*", SearchOption.AllDirectories).Where(f => !f.Contains(".incoming"));

    private const string Head = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export4.dtd">
        <en-export export-date="20231105T101010Z" application="Evernote" version="10.64.4">
        """;

    private static readonly byte[] Picture = RandomNumberGenerator.GetBytes(300_000);

    [Fact]
    public void A_real_shaped_note_keeps_its_title_times_and_text_and_names_its_attachment()
    {
        var items = Read(Head + Note("Trip: Lisbon &amp; Porto", "20190302T081500Z", "20200415T120000Z",
            $"""<div><h2>Plan</h2></div><div>Day <b>one</b> — see <a href="https://example.org/?a=1&amp;b=2">the map</a></div><ul><li>trains</li><li><en-todo checked="true"/>tickets</li></ul><div><en-media hash="{Md5(Picture)}" type="image/png"/></div>""",
            Resource(Picture, "map.png")) + "</en-export>");

        var note = Assert.Single(items).Note!;
        Assert.Equal("Trip: Lisbon & Porto", note.Title);
        Assert.Equal(DateTimeOffset.Parse("2019-03-02T08:15:00Z"), note.Created);
        Assert.Equal(DateTimeOffset.Parse("2020-04-15T12:00:00Z"), note.Updated);
        var map = Assert.Single(note.Attachments!);
        Assert.Equal($"## Plan\n\nDay **one** — see [the map](https://example.org/?a=1&b=2)\n\n- trains\n- [x] tickets\n\n[map.png]({map.Link})", note.Body);
        Assert.Equal((Sha256(Picture), "map.png", (long)Picture.Length), (map.Hash, map.Name, map.Size));
        Assert.Equal(Picture, File.ReadAllBytes(Blobs.PathOf(map.Hash)));
        Assert.Equal(["travel", "Portugal 2019"], note.Tags);
        // The export names no notebook; Evernote names the file after it.
        Assert.Equal(["Travel"], note.Notebook);
    }

    [Fact]
    public void The_same_export_gives_the_same_ids_each_time()
    {
        var enex = Head + Note("a", "20200101T000000Z", "20200101T000000Z", "<div>x</div>") + "</en-export>";

        Assert.Equal(Read(enex).Single().Note!.Id, Read(enex).Single().Note!.Id);
    }

    [Fact]
    public void An_external_entity_is_never_resolved_and_a_billion_laughs_never_expanded()
    {
        var doctype = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE en-export [
              <!ENTITY xxe SYSTEM "file:///etc/passwd">
              <!ENTITY lol "lol">
              <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
            ]>
            <en-export>
            """;
        var items = Read(doctype
            + Note("&xxe;", "20200101T000000Z", "20200101T000000Z", "<div>stolen?</div>")
            + Note("&lol9;", "20200101T000000Z", "20200101T000000Z", "<div>laughs</div>")
            + Note("after them", "20200101T000000Z", "20200101T000000Z", "<div>still here</div>")
            + "</en-export>");

        Assert.Equal(3, items.Count);
        Assert.All(items.Take(2), item => Assert.Contains("not well-formed", item.Problem));
        Assert.DoesNotContain(items, item => item.Note?.Body.Contains("root:") == true);
        Assert.Equal("still here", items[2].Note!.Body);
    }

    [Fact]
    public void A_broken_note_is_reported_and_the_ones_after_it_still_come_in()
    {
        var items = Read(Head
            + "<note><title>Tom & Jerry</title><content><![CDATA[<en-note>x</en-note>]]></content></note>"
            + Note("bad dates", "not a date", "2020-13-45", """<div><a href="https://example.org/?a=1&b=2">bare amp in an attribute</a></div>""")
            + Note("missing resource", "20200101T000000Z", "20200101T000000Z", """<div><en-media hash="00000000000000000000000000000000" type="application/pdf"/></div>""")
            + "</en-export>");

        Assert.Contains("not well-formed", items[0].Problem);
        Assert.Equal(("bad dates", null, null), (items[1].Note!.Title, items[1].Note!.Created, items[1].Note!.Updated));
        Assert.Equal("[bare amp in an attribute](https://example.org/?a=1&b=2)", items[1].Note!.Body);
        Assert.Equal("[attachment: application/pdf]", items[2].Note!.Body);
    }

    [Fact]
    public void A_note_hidden_in_another_notes_cdata_is_text_not_a_note()
    {
        var items = Read(Head + Note("outer", "20200101T000000Z", "20200101T000000Z", "<div>&lt;/note&gt;<![CDATA[ignored]]></div>").Replace("ignored]]>", "</note><note><title>injected</title>") + "</en-export>");

        Assert.DoesNotContain(items, i => i.Note?.Title == "injected");
    }

    [Fact]
    public void A_file_with_no_note_is_refused_as_no_evernote_export() =>
        Assert.Contains("no Evernote note", Assert.Throws<ImportFileException>(() => Read("<html>not an export</html>")).Message);

    [Fact]
    public void An_export_read_a_byte_at_a_time_gives_the_same_notes_as_read_whole()
    {
        var enex = Head
            + Note("with a picture", "20190302T081500Z", "20190302T081500Z", $"""<div>see</div><div><en-media hash="{Md5(Picture)}" type="image/png"/></div>""", Resource(Picture, "map.png"))
            + Note("cdata that looks like tags", "20200101T000000Z", "20200101T000000Z", "<div>a ]] b</div>").Replace("<div>a ]] b</div>", "<div>a ]] b <data> </note></div>")
            + Note("an empty resource", "20200101T000000Z", "20200101T000000Z", "<div>x</div>", """<resource><data encoding="base64"/><mime>image/png</mime></resource>""")
            + "</en-export>";

        var whole = Read(enex);
        var trickled = EnexImport.Read(new OneByteAtATime(Encoding.UTF8.GetBytes(enex)), "Travel", new ImportOptions(), Files, _ => { }).ToList();

        Assert.Equal(3, whole.Count);
        Assert.All(whole, item => Assert.Null(item.Problem));
        Assert.Equal($"see\n\n[map.png](/attachments/{Sha256(Picture)})", whole[0].Note!.Body);
        Assert.Equal(("cdata that looks like tags", "a ]] b"), (whole[1].Note!.Title, whole[1].Note!.Body));
        Assert.Equal(whole.Select(i => i.Note), trickled.Select(i => i.Note));
    }

    [Fact]
    public void An_image_resource_shows_inline_a_resource_no_note_shows_is_listed_and_one_too_large_is_named()
    {
        byte[] image = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. RandomNumberGenerator.GetBytes(100)];
        var unshown = RandomNumberGenerator.GetBytes(50);
        var huge = RandomNumberGenerator.GetBytes(500_000);
        var items = Read(Head + Note("three files", "20200101T000000Z", "20200101T000000Z",
            $"""<div><en-media hash="{Md5(image)}" type="image/png"/></div><div><en-media hash="{Md5(huge)}" type="video/mp4"/></div>""",
            Resource(image, "photo.png") + Resource(unshown, "notes.txt") + Resource(huge, "film.mp4")) + "</en-export>");

        var note = Assert.Single(items).Note!;
        Assert.Equal($"![photo.png](/attachments/{Sha256(image)})\n\n[attachment: film.mp4]\n\nAttachments:\n\n[notes.txt](/attachments/{Sha256(unshown)})", note.Body);
        Assert.Equal(["image/png", "text/plain"], note.Attachments!.Select(a => a.MediaType).Order());
        Assert.Equal(2, StoredHashes().Count());
    }

    [Fact]
    public async Task A_resource_that_names_stored_bytes_itself_is_not_taken_for_them()
    {
        var stored = await Blobs.WriteAsync(new MemoryStream(Picture), 1_000_000);
        var items = Read(Head + Note("forged", "20200101T000000Z", "20200101T000000Z", $"""<div><en-media hash="{new string('a', 32)}" type="image/png"/></div>""",
            $"""<resource><data encoding="base64" hash="{new string('a', 32)}" sha256="{stored.Hash}"/><resource-attributes><file-name>secret.png</file-name></resource-attributes></resource>""") + "</en-export>");

        var note = Assert.Single(items).Note!;
        Assert.Empty(note.Attachments!);
        Assert.Equal("[attachment: secret.png]", note.Body);
    }

    private static string Sha256(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private List<ImportItem> Read(string enex) =>
        EnexImport.Read(new MemoryStream(Encoding.UTF8.GetBytes(enex)), "Travel", new ImportOptions(), Files, _ => { }).ToList();

    /// <summary>A stream that hands out one byte per read, so every token of the file is split across reads somewhere.</summary>
    private sealed class OneByteAtATime(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
    }

    private static string Note(string title, string created, string updated, string enml, string resources = "") => $"""
        <note><title>{title}</title><created>{created}</created><updated>{updated}</updated><tag>travel</tag><tag>Portugal 2019</tag>
        <note-attributes><author>someone</author></note-attributes>
        <content><![CDATA[<?xml version="1.0" encoding="UTF-8" standalone="no"?>
        <!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">
        <en-note>{enml}</en-note>]]></content>{resources}</note>
        """;

    private static string Resource(byte[] data, string fileName) => $"""
        <resource><data encoding="base64">
        {Convert.ToBase64String(data, Base64FormattingOptions.InsertLineBreaks)}
        </data><mime>image/png</mime><resource-attributes><file-name>{fileName}</file-name></resource-attributes></resource>
        """;

    private static string Md5(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));
}
