using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel : PageModel
{
    public string Heading { get; private set; } = "Something went wrong";

    public string Explanation { get; private set; } = "";

    public string? RequestId { get; private set; }

    public void OnGet(int? status) => Describe(status);

    public void OnPost(int? status) => Describe(status);

    private void Describe(int? status)
    {
        RequestId = Activity.Current?.TraceId.ToString() ?? HttpContext.TraceIdentifier;
        var failure = HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
        (Heading, Explanation) = (status, failure) switch
        {
            (404, _) => ("Not found", "There is nothing at this address. The note may have been deleted."),
            (400, _) => ("That request was refused", "The form was out of date or incomplete. Reload the page and try again."),
            (_, HttpRequestException) => ("The notes service is unreachable", "The web app could not reach the API. Check the Aspire dashboard: the API or the rqlite cluster may be down or restarting. Nothing you saved before is lost."),
            _ => ("Something went wrong", "The request failed. Try again; if it keeps failing, the dashboard's logs say why."),
        };
        if (status is >= 400 and < 600)
        {
            Response.StatusCode = status.Value;
        }
        else if (failure is not null)
        {
            Response.StatusCode = failure is HttpRequestException ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        }
    }
}
