using System.ComponentModel.DataAnnotations;

namespace HermitSync.Web.Pages.Notes;

public sealed class NoteInput
{
    [Required(ErrorMessage = "A note needs a title.")]
    [StringLength(200, ErrorMessage = "A title may have at most 200 characters.")]
    public string Title { get; set; } = "";

    public string? Body { get; set; }
}
