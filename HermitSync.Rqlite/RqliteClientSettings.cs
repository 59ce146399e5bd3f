using System.Data.Common;

namespace HermitSync.Rqlite;

/// <summary>
/// Where the cluster's nodes are and how to talk to them. Filled from the Aspire connection
/// string <c>Endpoints=http://a,http://b;Username=u;Password=p;MonitorUsername=m;MonitorPassword=q</c>,
/// then from configuration.
/// </summary>
public sealed class RqliteClientSettings
{
    public List<Uri> Endpoints { get; } = [];

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>
    /// Who asks the cluster how it is (<c>/nodes</c>, <c>/status</c>, <c>/readyz</c>): a user of its
    /// own, so the one that reads and writes notes needs no more than that. Without it,
    /// <see cref="Username"/> asks.
    /// </summary>
    public string? MonitorUsername { get; set; }

    public string? MonitorPassword { get; set; }

    /// <summary>How long one attempt against one node may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long to keep failing over across nodes before giving up: long enough to ride out an
    /// election (1 to 5 s here), short enough that a caller with a 10 s budget hears why.
    /// </summary>
    public TimeSpan FailoverTimeout { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>How long a read for people waits for a leader before it serves a node's own, possibly stale, data.</summary>
    public TimeSpan StaleReadAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Send to the leader first, found from each node's <c>/status</c>: a follower would forward
    /// each write and weak read to it, one more hop.
    /// </summary>
    public bool PreferLeader { get; set; } = true;

    /// <summary>
    /// How often to ask again which node leads while one is known: a leader that steps down but
    /// stays up keeps answering (it forwards), so only a check notices. Three small requests
    /// every few seconds are nothing beside the writes a follower would forward meanwhile.
    /// </summary>
    public TimeSpan LeaderCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often to ask while no leader is known, after a node failed: an election here takes 1 to 5 s.</summary>
    public TimeSpan LeaderSearchInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How much this client writes before it pushes its writes out of rqlite's Raft log cache, once
    /// it goes quiet (<see cref="RqliteLogCache"/>): the cache then held up to this much of them on
    /// every node, and the 512 empty entries that push them out cost what a second of a bulk merge
    /// does. Zero turns it off.
    /// </summary>
    public long LogCacheReleaseAfterBytes { get; set; } = 8 << 20;

    /// <summary>Less than this written between two looks counts as quiet: a person's edits, not a bulk write.</summary>
    public long LogCacheQuietBelowBytes { get; set; } = 256 << 10;

    /// <summary>How often to look whether bulk writes are over.</summary>
    public TimeSpan LogCacheCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }

    public void ParseConnectionString(string connectionString)
    {
        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (parts.TryGetValue("Endpoints", out var endpoints) || parts.TryGetValue("Endpoint", out endpoints))
        {
            foreach (var endpoint in endpoints.ToString()!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                Endpoints.Add(new Uri(endpoint, UriKind.Absolute));
            }
        }
        if (parts.TryGetValue("Username", out var username))
        {
            Username = username.ToString();
        }
        if (parts.TryGetValue("Password", out var password))
        {
            Password = password.ToString();
        }
        if (parts.TryGetValue("MonitorUsername", out var monitorUsername))
        {
            MonitorUsername = monitorUsername.ToString();
        }
        if (parts.TryGetValue("MonitorPassword", out var monitorPassword))
        {
            MonitorPassword = monitorPassword.ToString();
        }
    }
}
