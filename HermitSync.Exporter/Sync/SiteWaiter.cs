using HermitSync.Rqlite;
using HermitSync.Sync;

namespace HermitSync.Exporter.Sync;

/// <summary>The API owns the schema and creates the site id; the exporter waits for both.</summary>
public static class SiteWaiter
{
    public static async Task<SiteIdentity> WaitAsync(RqliteClient rqlite, ILogger logger, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (await SiteIdentity.ReadAsync(rqlite, cancellationToken) is { } site)
                {
                    return site;
                }
            }
            catch (RqliteStatementException e)
            {
                logger.LogInformation("Waiting for the API to create the schema: {Reason}", e.Error);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }
}
