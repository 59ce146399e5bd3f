using HermitSync.Web.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

/// <summary>
/// Where the link <c>hermit</c> prints leads: with the site's key in <c>t</c>, it lets the browser
/// in and sends it on to a clean address, so the key does not stay in the address bar. Without
/// it, it says where the link is.
/// </summary>
[AllowAnonymous]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class LoginModel(AccessKey accessKey) : PageModel
{
    public bool LinkRefused { get; private set; }

    public IActionResult OnGet(string? t)
    {
        if (t is not null && accessKey.IsKey(t))
        {
            accessKey.LetIn(HttpContext);
            return LocalRedirect("/");
        }
        LinkRefused = t is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }
}
