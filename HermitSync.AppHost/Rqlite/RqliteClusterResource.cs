using HermitSync.Rqlite;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Raft cluster of rqlite nodes. It runs nothing itself: it is the one thing services
/// reference, and its connection string lists every node so clients can fail over.
/// </summary>
public sealed class RqliteClusterResource(string name, ParameterResource password, int firstPort) : Resource(name), IResourceWithConnectionString
{
    public const string Username = "hermit";

    public ParameterResource Password { get; } = password;

    public IReadOnlyList<IRqliteNode> Nodes => NodeList;

    internal List<IRqliteNode> NodeList { get; } = [];

    /// <summary>
    /// Holds the auth file and each node's Raft log and SQLite file. Without
    /// <c>WithDataDirectory</c> it is a new temporary directory for each run of the AppHost.
    /// </summary>
    public string? DataDirectory { get; internal set; }

    public RqliteHostingTimeouts Timeouts { get; } = new();

    internal string AuthFile => Path.Combine(StartedDataDirectory, "auth.json");

    internal string NodeDirectory(IRqliteNode node) => Path.Combine(StartedDataDirectory, node.Name);

    private string StartedDataDirectory => DataDirectory ?? throw new InvalidOperationException($"'{Name}' has no data directory before the app starts.");

    /// <summary>Node <paramref name="index"/> (from 0) serves HTTP here and Raft on the next port; fixed, because peers keep each other's addresses in their Raft state.</summary>
    internal int HttpPort(int index) => firstPort + (2 * index);

    internal IRqliteNode Node(string name) => NodeList.Single(node => node.Name == name);

    public ReferenceExpression ConnectionStringExpression
    {
        get
        {
            var expression = new ReferenceExpressionBuilder();
            expression.AppendLiteral("Endpoints=");
            for (var i = 0; i < NodeList.Count; i++)
            {
                expression.AppendLiteral(i == 0 ? "" : ",");
                expression.Append($"{NodeList[i].HttpEndpoint.Property(EndpointProperty.Url)}");
            }
            expression.Append($";Username={Username};Password={Password}");
            return expression.Build();
        }
    }

    /// <summary>A client for the AppHost's own checks and commands, from the same connection string services get.</summary>
    internal async Task<RqliteClient> CreateClientAsync(CancellationToken cancellationToken) =>
        RqliteClient.Create(
            await ConnectionStringExpression.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException($"'{Name}' has no connection string yet."),
            settings =>
            {
                settings.RequestTimeout = Timeouts.Request;
                settings.FailoverTimeout = Timeouts.Request;
            });
}
