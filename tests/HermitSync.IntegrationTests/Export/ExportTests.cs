using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.IntegrationTests.Undo;
using HermitSync.Rqlite;
using HermitSync.Storage;
using YamlDotNet.Serialization;

namespace HermitSync.IntegrationTests.Export;

/// <summary>The export against the real stack, downloaded through the web app as a browser would.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class ExportTests(StackFixture stack)
{
    [Fact]
    public async Task The_collection_downloads_as_a_zip_with_one_markdown_file_per_live_note_under_safe_unique_names()
    {
        using var web = stack.WebBrowserClient();
        var marker = $"export-{Guid.NewGuid():N}";
        var made = new[]
        {
            await Sites.CreateAsync(web, $"{marker} Groceries", "- eggs\n- milk"),
            await Sites.CreateAsync(web, $"{marker} groceries", "lower case, same name on Windows and macOS"),
            await Sites.CreateAsync(web, $"../../{marker}", "a title that climbs"),
            await Sites.CreateAsync(web, $"{marker} \"quoted\": yes # no", "naïve café 🍰\r\nCRLF kept"),
        };
        var deleted = await Sites.CreateAsync(web, $"{marker} deleted", "not exported");
        await UndoApi.DeleteAsync(web, deleted);

        using var response = await web.GetAsync("/api/export", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^hermit-notes-\d{4}-\d{2}-\d{2}\.zip$", response.Content.Headers.ContentDisposition?.FileNameStar);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);
        // Other tests on this site attach files, which sit in attachments/ folders beside their notes.
        var files = zip.Entries.Where(e => !e.FullName.Split('/')[..^1].Contains("attachments")).Select(entry => (entry.FullName, Note: ExportedNote.Read(entry))).ToArray();

        // A note in a notebook sits in its notebook's folders; every part of the path is a safe name.
        Assert.All(files, file => Assert.True(
            file.FullName.EndsWith(".md", StringComparison.Ordinal)
                && file.FullName.Split('/').All(part => part.Length > 0 && !part.StartsWith('.') && part.IndexOfAny(['\\', ':']) < 0 && Encoding.UTF8.GetByteCount(part) <= 255),
            $"{file.FullName} is no safe file name"));
        Assert.Equal(files.Length, files.Select(f => f.FullName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var live = (await stack.Rqlite().QueryAsync(NoteSql.All, ReadConsistency.Strong)).Where(n => !n.Deleted).Select(n => n.Id);
        Assert.Equal(live.Order(), files.Select(f => f.Note.Id).Order());
        foreach (var note in made)
        {
            var exported = Assert.Single(files, f => f.Note.Id == note.Id).Note;
            Assert.Equal((note.Title, note.Body, note.CreatedAt, note.UpdatedAt), (exported.Title, exported.Body, exported.Created, exported.Updated));
        }
        Assert.Contains(files, f => f.FullName == $"{marker} Groceries.md");
        Assert.Contains(files, f => f.FullName == $"{marker} groceries (2).md");
        Assert.Contains(files, f => f.FullName == $"{marker}.md");
        Assert.DoesNotContain(files, f => f.Note.Id == deleted.Id);
    }

    [Fact]
    public async Task Attachments_sit_beside_the_notes_that_link_to_them_once_per_folder_with_relative_links()
    {
        using var web = stack.WebBrowserClient();
        var marker = $"attached-{Guid.NewGuid():N}"[..20];
        var notebook = (await (await web.PostAsJsonAsync("/api/notebooks", new { name = marker })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString();
        var photo = await Sites.AttachAsync(web, "photo.png", [.. Attachments.AttachmentTests.Pixel, .. Guid.NewGuid().ToByteArray()]);
        var other = await Sites.AttachAsync(web, "photo.png", [.. Attachments.AttachmentTests.Pixel, .. Guid.NewGuid().ToByteArray()]);
        var first = await Sites.CreateAsync(web, $"{marker} one", $"{photo.Markdown}\n{other.Markdown}\n{photo.Markdown}");
        var second = await Sites.CreateAsync(web, $"{marker} two", photo.Markdown);
        foreach (var note in new[] { first, second })
        {
            (await web.PutAsJsonAsync($"/api/notes/{note.Id}/labels", new { notebookId = notebook })).EnsureSuccessStatusCode();
        }

        using var response = await web.GetAsync("/api/export");
        using var zip = new ZipArchive(new MemoryStream(await response.EnsureSuccessStatusCode().Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);

        var folder = $"{marker}/";
        var inFolder = zip.Entries.Where(e => e.FullName.StartsWith(folder, StringComparison.Ordinal)).Select(e => e.FullName[folder.Length..]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "attachments/photo (2).png", "attachments/photo.png", $"{marker} one.md", $"{marker} two.md" }.Order(StringComparer.Ordinal), inFolder);
        Assert.Equal("![photo.png](attachments/photo.png)\n![photo.png](attachments/photo%20%282%29.png)\n![photo.png](attachments/photo.png)", ExportedNote.Read(zip.GetEntry($"{folder}{marker} one.md")!).Body);
        Assert.Equal("![photo.png](attachments/photo.png)", ExportedNote.Read(zip.GetEntry($"{folder}{marker} two.md")!).Body);
        using var stored = new MemoryStream();
        await zip.GetEntry($"{folder}attachments/photo.png")!.Open().CopyToAsync(stored);
        Assert.Equal(photo.Hash, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored.ToArray())));
    }

    [Fact]
    public async Task One_note_downloads_as_a_markdown_file_and_a_deleted_or_unknown_one_is_not_found()
    {
        using var web = stack.WebBrowserClient();
        var note = await Sites.CreateAsync(web, "Trip: Lisbon / Porto", "# Plan\n\n1. trains");

        using var response = await web.GetAsync($"/api/notes/{note.Id}/export");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Trip Lisbon Porto.md", response.Content.Headers.ContentDisposition?.FileNameStar);
        var exported = ExportedNote.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal((note.Id, note.Title, note.Body), (exported.Id, exported.Title, exported.Body));
        var page = await web.GetStringAsync($"/Notes/{note.Id}");
        Assert.Contains($"href=\"/api/notes/{note.Id}/export\"", page);
        Assert.Contains("href=\"/api/export\"", page);

        await UndoApi.DeleteAsync(web, note);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/api/notes/{note.Id}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetAsync($"/api/notes/{Guid.NewGuid()}/export")).StatusCode);
    }
}

/// <summary>An exported Markdown file as a YAML parser and a reader of front matter see it.</summary>
internal sealed record ExportedNote(Guid Id, string Title, DateTimeOffset Created, DateTimeOffset Updated, string Body)
{
    public static ExportedNote Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open(), new UTF8Encoding(false, throwOnInvalidBytes: true));
        return Parse(reader.ReadToEnd());
    }

    public static ExportedNote Parse(string markdown)
    {
        Assert.StartsWith("---\n", markdown);
        var end = markdown.IndexOf("\n---\n\n", StringComparison.Ordinal);
        // Scalars read as strings; tags and the notebook's path are lists.
        var yaml = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(markdown[4..(end + 1)]);
        string Text(string key) => (string)yaml[key];
        return new ExportedNote(Guid.Parse(Text("id")), Text("title"), DateTimeOffset.Parse(Text("created")), DateTimeOffset.Parse(Text("updated")), markdown[(end + 6)..]);
    }
}
