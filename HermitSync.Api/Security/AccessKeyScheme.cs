using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HermitSync.Api.Security;

/// <summary>
/// Tells the OpenAPI document's readers how to call: through the web app's port, which forwards
/// <c>/api</c> here, with the site's access key as a bearer token. (The API itself takes only the
/// AppHost's internal credential, which the web app adds.)
/// </summary>
internal static class AccessKeyScheme
{
    private const string Name = "accessKey";

    public static OpenApiOptions AddAccessKeyScheme(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Description =
                "Call it through the web app's port (http://localhost:5180/api/...) with the access key as a bearer token: "
                + "the t=... of the Notes link ./hermit run prints, also in access-token in the site's data directory.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[Name] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "Authorization: Bearer <access key>. Browsers use the cookie the Notes link sets instead.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Name, document)] = [] }];
            return Task.CompletedTask;
        });
}
