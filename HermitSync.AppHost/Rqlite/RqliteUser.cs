namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// One of a cluster's rqlite users, with rqlite 8's names for what it may do. Each job has a user
/// of its own, so what leaks from one process opens only that job: the services can read and
/// write notes, but cannot back the database up, load another over it, or remove a node.
/// </summary>
public sealed record RqliteUser(string Name, IReadOnlyList<string> Permissions)
{
    /// <summary>The API and the exporter: statements only (<c>/db/execute</c>, <c>/db/query</c>, <c>/db/request</c>).</summary>
    public static RqliteUser Data { get; } = new("data", ["execute", "query"]);

    /// <summary>Health checks, the cluster page and "Step down leader": <c>/nodes</c>, <c>/status</c> and <c>/readyz</c>.</summary>
    public static RqliteUser Monitor { get; } = new("monitor", ["status", "ready"]);

    /// <summary>"Back up database": <c>/db/backup</c>.</summary>
    public static RqliteUser Backup { get; } = new("backup", ["backup"]);

    /// <summary>A restore from a backup (<c>./hermit restore</c>): <c>/db/load</c>, which replaces the whole database.</summary>
    public static RqliteUser Restore { get; } = new("restore", ["load"]);

    /// <summary>A node joining the cluster (<c>-join-as</c>), and the notice <c>-bootstrap-expect</c> sends its peers.</summary>
    public static RqliteUser Join { get; } = new("join", ["join"]);

    /// <summary>Taking a dead node out for good (<c>DELETE /remove</c>): for a person following the runbook, no command uses it.</summary>
    public static RqliteUser Remove { get; } = new("remove", ["remove"]);

    public static IReadOnlyList<RqliteUser> All { get; } = [Data, Monitor, Backup, Restore, Join, Remove];
}
