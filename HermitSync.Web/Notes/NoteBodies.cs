namespace HermitSync.Web.Notes;

/// <summary>Renders a note's body for a page: Markdown, sanitized, with its attachments shown as what they are.</summary>
public sealed class NoteBodies(MarkdownRenderer markdown, AttachmentsApi attachments)
{
    public async Task<string> ToSafeHtmlAsync(string body, CancellationToken cancellationToken)
    {
        var html = markdown.ToSafeHtml(body);
        var linked = AttachmentLinks.In(body);
        return linked.Count == 0 ? html : AttachmentsInNotes.Decorate(html, await attachments.LookupAsync(linked, cancellationToken));
    }
}
