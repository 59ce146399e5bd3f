using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace HermitSync.Web.Pages.Notes;

internal static class ModelStateExtensions
{
    /// <summary>Shows the API's field errors beside the form's fields (API "title" is form "Input.Title").</summary>
    public static void AddApiErrors(this ModelStateDictionary modelState, IReadOnlyDictionary<string, string[]> errors)
    {
        foreach (var (field, messages) in errors)
        {
            var key = field.Length == 0 ? "" : $"Input.{char.ToUpperInvariant(field[0])}{field[1..]}";
            foreach (var message in messages)
            {
                modelState.AddModelError(key, message);
            }
        }
    }
}
