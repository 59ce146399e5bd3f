using HermitSync.Storage;

namespace HermitSync.UnitTests.Attachments;

public sealed class AttachmentTypesTests
{
    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, "x.bin", "image/png")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "x", "image/jpeg")]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, "x", "image/gif")]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50 }, "x", "image/webp")]
    public void An_image_is_known_by_its_bytes_whatever_its_name(byte[] head, string name, string type)
    {
        Assert.Equal(type, AttachmentTypes.Detect(head, name));
        Assert.True(AttachmentTypes.ShowsInline(type));
    }

    [Theory]
    [InlineData("photo.png", AttachmentTypes.Binary)]
    [InlineData("drawing.svg", "image/svg+xml")]
    [InlineData("page.html", "text/html")]
    [InlineData("report.PDF", "application/pdf")]
    [InlineData("no-extension", AttachmentTypes.Binary)]
    public void Anything_else_is_typed_by_its_name_and_is_never_shown_inline(string name, string type)
    {
        var detected = AttachmentTypes.Detect("<svg onload=alert(1)>"u8, name);

        Assert.Equal(type, detected);
        Assert.False(AttachmentTypes.ShowsInline(detected));
    }

    [Theory]
    [InlineData(512, "512 bytes")]
    [InlineData(1536, "1.5 KB")]
    [InlineData(50L * 1024 * 1024, "50 MB")]
    public void Sizes_read_as_people_say_them(long bytes, string said) => Assert.Equal(said, AttachmentTypes.DescribeSize(bytes));
}
