using HermitSync.Rqlite;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace HermitSync.Api.Cluster;

/// <summary>
/// Turns a cluster that cannot serve into a 503 ProblemDetails that says why, instead of a
/// bare 500: the client's request was fine, the database was not available.
/// </summary>
public sealed class RqliteProblemHandler(IProblemDetailsService problems, ILogger<RqliteProblemHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var detail = exception switch
        {
            RqliteUnavailableException unavailable =>
                $"The cluster has no leader; {unavailable.ReachableNodes} of {unavailable.TotalNodes} nodes reachable. Nothing was changed; try again shortly.",
            RqliteStatementException => null,
            RqliteException => "The database did not confirm the request in time. It may or may not have been applied; reload before retrying.",
            _ => null,
        };
        if (detail is null)
        {
            return false;
        }
        logger.LogWarning("rqlite could not serve {Method} {Path}: {Reason}", context.Request.Method, context.Request.Path, exception.Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "2";
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The notes database is unavailable.",
                Detail = detail,
            },
        });
    }
}
