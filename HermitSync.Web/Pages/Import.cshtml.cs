using HermitSync.Web.Import;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

/// <summary>Brings notes in from a file: the upload form, then the import's progress and what it could not take.</summary>
[RequestSizeLimit(ImportModel.MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = ImportModel.MaxUploadBytes)]
public sealed class ImportModel(ImportsApi imports) : PageModel
{
    /// <summary>What the API takes (HermitSync:Import:MaxUploadBytes), so a larger file is refused here at once.</summary>
    public const long MaxUploadBytes = 1024L * 1024 * 1024;

    public ImportStatus? Status { get; private set; }

    public string? Problem { get; private set; }

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid? id, CancellationToken cancellationToken)
    {
        if (id is { } importId)
        {
            Status = await imports.GetAsync(importId, cancellationToken);
            Problem = Status is null ? "This import is no longer known: the notes service forgets finished imports when it restarts. What it imported is in your notes." : null;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Upload is not { Length: > 0 } file)
        {
            Problem = "Choose a file to import.";
            return Page();
        }
        await using var upload = file.OpenReadStream();
        var started = await imports.StartAsync(upload, file.FileName, cancellationToken);
        if (started.Status is not { } status)
        {
            Problem = started.Problem;
            return Page();
        }
        return RedirectToPage(new { id = status.Id });
    }
}
