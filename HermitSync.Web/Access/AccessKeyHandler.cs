using System.Security.Claims;
using System.Text.Encodings.Web;
using HermitSync.ServiceDefaults;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace HermitSync.Web.Access;

/// <summary>
/// Lets in whoever holds the site's access key: a browser by the cookie the login link set, a
/// script by <c>Authorization: Bearer</c>. Anyone else gets, on a page, the short page that says
/// where the link is, and from <c>/api</c>, a 401 ProblemDetails.
/// </summary>
public sealed class AccessKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessKey key)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AccessKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(key.Admits(Request)
            ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "owner")], SchemeName)), SchemeName))
            : AuthenticateResult.NoResult());

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (!IsForScripts(Request.Path))
        {
            Response.Redirect(Microsoft.Extensions.Hosting.Extensions.LoginPath);
            return;
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        await Context.WriteProblemAsync(StatusCodes.Status401Unauthorized, "The access key is missing or wrong.",
            "Send the access key as Authorization: Bearer <key>. It is in access-token in the site's data directory, and it is the t=… of the Notes link ./hermit run prints.");
    }

    /// <summary>What the web app forwards to the API: JSON for scripts, never a page.</summary>
    private static bool IsForScripts(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi");
}
