using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;
using HermitSync.Rqlite;
using HermitSync.ServiceDefaults;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.IntegrationTests.Attachments;

/// <summary>Attaching files through the web app's /api, and how the app serves them back.</summary>
[Collection(SingleSiteCollection.Name)]
public sealed class AttachmentTests(StackFixture stack)
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Pixel = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_image_is_stored_once_under_its_hash_owner_only_and_served_inline_and_immutable()
    {
        using var web = stack.WebBrowserClient();
        var content = Pixel.Concat(RandomNumberGenerator.GetBytes(64)).ToArray();

        var first = await Sites.AttachAsync(web, "dot.png", content);
        var again = await Sites.AttachAsync(web, "same dot.png", content);
        using var served = await web.GetAsync(first.Link);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), first.Hash);
        Assert.Equal(("dot.png", "image/png", (long)content.Length), (first.Name, first.MediaType, first.Size));
        Assert.Equal($"![dot.png](/attachments/{first.Hash})", first.Markdown);
        Assert.Equal(first, again);
        var path = Path.Combine(stack.Site().AttachmentsFolder, first.Hash[..2], first.Hash);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(content, await served.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", served.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(SecurityHeadersOptions.FilePolicy, served.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("immutable", served.Headers.CacheControl!.ToString());
    }

    [Theory]
    [InlineData("drawing.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>", "image/svg+xml")]
    [InlineData("page.html", "<html><script>alert(document.cookie)</script></html>", "text/html")]
    [InlineData("fake.png", "<script>alert(1)</script>", "application/octet-stream")]
    public async Task Svg_html_and_anything_not_an_image_is_served_as_a_download_that_runs_nothing(string name, string content, string type)
    {
        using var web = stack.WebBrowserClient();

        var attachment = await Sites.AttachAsync(web, name, Encoding.UTF8.GetBytes(content + Guid.NewGuid()));
        using var served = await web.GetAsync(attachment.Link);

        Assert.Equal(type, attachment.MediaType);
        Assert.Equal($"[{name}](/attachments/{attachment.Hash})", attachment.Markdown);
        Assert.Equal(type, served.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", served.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(name, served.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Contains("sandbox", served.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_file_over_the_limit_is_refused_with_the_limit_and_nothing_of_it_is_kept()
    {
        using var web = stack.WebBrowserClient();
        int Stored() => Directory.Exists(stack.Site().AttachmentsFolder) ? Directory.EnumerateFiles(stack.Site().AttachmentsFolder, "*", SearchOption.AllDirectories).Count() : 0;
        var before = Stored();
        var limit = new AttachmentOptions().MaxBytes;

        // Sent without a length (the stream cannot seek), so the API finds out by counting, as it must for any sender.
        using var body = new StreamContent(new ZeroStream(limit + 1));
        body.Headers.ContentType = new("application/octet-stream");
        using var refused = await web.PostAsync("/api/attachments?name=huge.bin", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("50 MB", (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(before, Stored());
    }

    [Fact]
    public async Task Requests_that_are_not_an_attachment_get_a_clear_4xx()
    {
        using var web = stack.WebBrowserClient();
        async Task<(HttpStatusCode, string?)> PostAsync(string query, string type)
        {
            using var body = new ByteArrayContent([1, 2, 3]);
            body.Headers.ContentType = new(type);
            using var response = await web.PostAsync($"/api/attachments{query}", body);
            return (response.StatusCode, (await response.Content.ReadFromJsonAsync<ProblemDetails>())?.Detail);
        }

        var (noName, noNameDetail) = await PostAsync("", "application/octet-stream");
        var (badName, _) = await PostAsync("?name=a%0Ab.txt", "application/octet-stream");
        var (form, _) = await PostAsync("?name=a.txt", "text/plain");
        using var unknown = await web.GetAsync(AttachmentLinks.PathOf(new string('f', 64)));
        using var notAHash = await web.GetAsync("/attachments/..%2F..%2Fetc%2Fpasswd");
        using var badLookup = await web.GetAsync("/api/attachments?hash=nothex");

        Assert.Equal(HttpStatusCode.BadRequest, noName);
        Assert.Contains("?name=", noNameDetail);
        Assert.Equal(HttpStatusCode.BadRequest, badName);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("not here", (await unknown.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, notAHash.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badLookup.StatusCode);
    }

    [Fact]
    public async Task A_lookup_tells_what_is_here_and_a_note_that_links_to_an_attachment_keeps_it_referenced()
    {
        using var web = stack.WebBrowserClient();
        var attachment = await Sites.AttachAsync(web, "notes.txt", Encoding.UTF8.GetBytes($"text {Guid.NewGuid()}"));
        var missing = new string('e', 64);
        await Sites.CreateAsync(web, "With a file", $"{attachment.Markdown} and {AttachmentLinks.PathOf(missing)}");

        var lookup = await web.GetFromJsonAsync<AttachmentLookup>($"/api/attachments?hash={attachment.Hash}&hash={missing}");
        var unreferenced = await stack.Rqlite().QueryAsync(AttachmentSql.Unreferenced(DateTimeOffset.UtcNow.AddMinutes(1), 10_000), ReadConsistency.Strong);

        Assert.Equal([attachment], lookup!.Here);
        Assert.Equal([missing], lookup.Missing);
        Assert.DoesNotContain(unreferenced, u => u.Attachment.Hash == attachment.Hash);
    }
}
