using Microsoft.AspNetCore.Http;

namespace HermitSync.ServiceDefaults;

/// <summary>A middleware that refuses a request answers as every endpoint does: with a ProblemDetails document.</summary>
public static class ProblemResponse
{
    public static Task WriteProblemAsync(this HttpContext context, int statusCode, string title, string detail) =>
        Results.Problem(detail, statusCode: statusCode, title: title).ExecuteAsync(context);
}
