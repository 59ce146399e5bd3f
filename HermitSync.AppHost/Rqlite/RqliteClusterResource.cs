using HermitSync.Rqlite;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Raft cluster of rqlite nodes. It runs nothing itself: it is the one thing services
/// reference, and its connection string lists every node so clients can fail over. Its users
/// (<see cref="RqliteUser"/>) have passwords derived from one secret parameter.
/// </summary>
public sealed class RqliteClusterResource(string name, ParameterResource secret, int firstPort) : Resource(name), IResourceWithConnectionString
{
    /// <summary>What every user's password is derived from; it never leaves the AppHost.</summary>
    public ParameterResource Secret { get; } = secret;

    public IReadOnlyList<IRqliteNode> Nodes => NodeList;

    internal List<IRqliteNode> NodeList { get; } = [];

    /// <summary>
    /// Holds the auth file and each node's Raft log and SQLite file. Without
    /// <c>WithDataDirectory</c> it is a new temporary directory for each run of the AppHost.
    /// </summary>
    public string? DataDirectory { get; internal set; }

    public RqliteHostingTimeouts Timeouts { get; } = new();

    /// <summary>
    /// Each node's <c>GOGC</c>: how far its heap may grow past what it held live at its last
    /// collection before Go collects again. While it merges a large collection a node holds
    /// hundreds of MB live, and Go's default (100) lets it take as much again. A node that goes
    /// quiet allocates little, so what a burst held live (a Raft snapshot: 27–40 MB) stays until
    /// that little fills the headroom: about a minute at 25, under half a minute at 10. The heap is
    /// mostly byte buffers, which cost little to collect more often (README, Performance).
    /// </summary>
    public int GoGcPercent { get; set; } = 10;

    /// <summary>
    /// Each node's <c>MALLOC_ARENA_MAX</c>: how many glibc malloc arenas SQLite's memory comes
    /// from. glibc gives each thread that calls into SQLite an arena of its own, up to eight per
    /// core, and keeps what is freed in each; one arena held an idle node's C heap in 9–13 MB
    /// where three to five arenas held 25–29 MB (README, Performance). A musl-based image ignores it.
    /// </summary>
    public int MallocArenas { get; set; } = 1;

    internal string AuthFile => Path.Combine(StartedDataDirectory, "auth.json");

    internal string NodeDirectory(IRqliteNode node) => Path.Combine(StartedDataDirectory, node.Name);

    private string StartedDataDirectory => DataDirectory ?? throw new InvalidOperationException($"'{Name}' has no data directory before the app starts.");

    /// <summary>Node <paramref name="index"/> (from 0) serves HTTP here and Raft on the next port; fixed, because peers keep each other's addresses in their Raft state.</summary>
    internal int HttpPort(int index) => firstPort + (2 * index);

    internal IRqliteNode Node(string name) => NodeList.Single(node => node.Name == name);

    /// <summary>What services get: the data user, which reads and writes, and the monitor user for their health checks.</summary>
    public ReferenceExpression ConnectionStringExpression => ConnectionStringFor(RqliteUser.Data);

    /// <summary>The password <paramref name="user"/> has on this cluster, as its auth file holds it.</summary>
    internal RqliteUserPassword PasswordOf(RqliteUser user) => new(Secret, Name, user);

    /// <summary>
    /// Every node, <paramref name="user"/> for what it does, and the monitor user for finding out
    /// how the cluster is: for a resource with another job than reading and writing, such as backups.
    /// </summary>
    public ReferenceExpression ConnectionStringFor(RqliteUser user)
    {
        var expression = new ReferenceExpressionBuilder();
        expression.AppendLiteral("Endpoints=");
        for (var i = 0; i < NodeList.Count; i++)
        {
            expression.AppendLiteral(i == 0 ? "" : ",");
            expression.Append($"{NodeList[i].HttpEndpoint.Property(EndpointProperty.Url)}");
        }
        var password = PasswordOf(user);
        var monitorPassword = PasswordOf(RqliteUser.Monitor);
        expression.Append($";Username={user.Name};Password={password};MonitorUsername={RqliteUser.Monitor.Name};MonitorPassword={monitorPassword}");
        return expression.Build();
    }

    /// <summary>A client for the AppHost's own checks and commands, as <paramref name="user"/>.</summary>
    internal async Task<RqliteClient> CreateClientAsync(RqliteUser user, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        RqliteClient.Create(
            await ConnectionStringFor(user).GetValueAsync(cancellationToken) ?? throw new InvalidOperationException($"'{Name}' has no connection string yet."),
            settings =>
            {
                settings.RequestTimeout = timeout ?? Timeouts.Request;
                settings.FailoverTimeout = timeout ?? Timeouts.Request;
            });

    /// <summary>Where the cluster's backups go: <c>backups/</c> in its data directory.</summary>
    public string BackupDirectory => Path.Combine(StartedDataDirectory, "backups");
}
