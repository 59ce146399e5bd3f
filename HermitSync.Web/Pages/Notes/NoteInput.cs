using System.ComponentModel.DataAnnotations;

namespace HermitSync.Web.Pages.Notes;

public sealed class NoteInput
{
    [NoteTitle]
    public string Title { get; set; } = "";

    public string? Body { get; set; }
}

/// <summary>The API's own title rule, so the form refuses exactly what the API would, counted in characters as people count them.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NoteTitleAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        NoteRules.CheckTitle(value as string) is { } violation ? new ValidationResult(violation.Message, [validationContext.MemberName!]) : ValidationResult.Success;
}
