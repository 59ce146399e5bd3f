using System.IO.Compression;
using System.Text;
using HermitSync.Api.Attachments;
using HermitSync.Api.Notes;
using HermitSync.Api.Organization;
using HermitSync.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HermitSync.Api.Export;

/// <summary>
/// The whole collection as a zip of Markdown files, one per live note, with the files they
/// link to beside them, and one note as a Markdown file. The zip is written as the notes are
/// read, a page at a time.
/// </summary>
public static class ExportEndpoints
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/export", ExportAll).WithTags("Export").WithName("ExportNotes");
        app.MapGet("/api/notes/{id:guid}/export", ExportOne).WithTags("Export").WithName("ExportNote");
        return app;
    }

    /// <summary>
    /// The first page is read before anything is sent, so a cluster that cannot answer gets its
    /// usual 503. A failure after that aborts the response: the zip then has no central
    /// directory and no unzip takes it for a whole export.
    /// </summary>
    private static async Task ExportAll(
        NoteStore store, OrganizationStore organization, AttachmentStore attachmentStore, IOptions<ExportOptions> options, TimeProvider time, HttpContext http,
        CancellationToken cancellationToken)
    {
        var pageSize = options.Value.PageSize;
        var page = await store.ExportPageAsync(null, pageSize, cancellationToken);
        var notebooks = await organization.NotebooksAsync(cancellationToken);
        var folders = new Dictionary<string, string>();
        http.Response.ContentType = "application/zip";
        http.Response.Headers.ContentDisposition = Attachment($"hermit-notes-{time.GetUtcNow():yyyy-MM-dd}.zip");
        var output = new DrainedBuffer(http.Response.BodyWriter);
        var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        var names = new ExportFileNames();
        var attachments = new ExportedAttachments(zip, output, attachmentStore);
        while (true)
        {
            // The next page is read while this one is written.
            var next = page.Count < pageSize ? null : store.ExportPageAsync(page[^1].Id, pageSize, cancellationToken);
            var linked = page.SelectMany(n => AttachmentLinks.In(n.Body)).Distinct().ToArray();
            var here = linked.Length == 0 ? new AttachmentLookup([], []) : await attachmentStore.LookupAsync(linked, cancellationToken);
            foreach (var note in page)
            {
                var notebook = notebooks.PathOf(note.Labels.NotebookId);
                var folder = Folder(notebook, folders);
                var body = await attachments.RelinkAsync(folder, note.Body, here, cancellationToken);
                var entry = zip.CreateEntry(folder + names.Next(note.Title), CompressionLevel.Fastest);
                if (note.UpdatedAt.Year is >= 1980 and < 2108)
                {
                    entry.LastWriteTime = note.UpdatedAt;
                }
                using (var content = entry.Open())
                {
                    content.Write(Encoding.UTF8.GetBytes(NoteMarkdown.Write(note with { Body = body }, notebook)));
                }
                await output.DrainAsync(all: false, cancellationToken);
            }
            if (next is null)
            {
                break;
            }
            page = await next;
        }
        // Only a whole export gets its central directory.
        zip.Dispose();
        await output.DrainAsync(all: true, cancellationToken);
    }

    /// <summary>
    /// The folder a notebook's notes go in, <c>Work/Projects/</c>, each level's name made safe
    /// as a file's is; "" for notes in no notebook. Folders are for people browsing the export:
    /// an import reads the notebook from the front matter.
    /// </summary>
    private static string Folder(IReadOnlyList<string> notebook, Dictionary<string, string> folders)
    {
        var key = string.Join('\0', notebook);
        if (!folders.TryGetValue(key, out var folder))
        {
            folders[key] = folder = string.Concat(notebook.Select(name => ExportFileNames.Stem(name) + "/"));
        }
        return folder;
    }

    private static async Task<IResult> ExportOne(NoteStore store, OrganizationStore organization, Guid id, CancellationToken cancellationToken)
    {
        var note = await store.GetAsync(id, cancellationToken);
        if (note is null)
        {
            return NotesEndpoints.NotFound(id);
        }
        var notebook = (await organization.NotebooksAsync(cancellationToken)).PathOf(note.Labels.NotebookId);
        return TypedResults.File(Encoding.UTF8.GetBytes(NoteMarkdown.Write(note, notebook)), "text/markdown; charset=utf-8", $"{ExportFileNames.Stem(note.Title)}.md");
    }

    private static string Attachment(string fileName) =>
        new ContentDispositionHeaderValue("attachment") { FileNameStar = fileName, FileName = fileName }.ToString();
}
