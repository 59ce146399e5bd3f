using HermitSync.Rqlite;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Raft cluster of rqlite nodes. It runs nothing itself: it is the one thing services
/// reference, and its connection string lists every node so clients can fail over.
/// </summary>
public sealed class RqliteClusterResource(string name, ParameterResource password) : Resource(name), IResourceWithConnectionString
{
    public const string Username = "hermit";

    public ParameterResource Password { get; } = password;

    public IReadOnlyList<IRqliteNode> Nodes => NodeList;

    internal List<IRqliteNode> NodeList { get; } = [];

    /// <summary>Holds the auth file and, in executable mode, each node's data.</summary>
    public string? DataDirectory { get; internal set; }

    internal string AuthFile => Path.Combine(
        DataDirectory ?? throw new InvalidOperationException($"Call WithDataDirectory on '{Name}' first."),
        "auth.json");

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

    // RqliteClient follows rqlite's redirects to the leader itself, keeping the credentials.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = TimeSpan.FromSeconds(2) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>A client for the AppHost's own checks and commands, over the nodes' host-side endpoints.</summary>
    internal async Task<RqliteClient> CreateClientAsync(CancellationToken cancellationToken)
    {
        var settings = new RqliteClientSettings
        {
            Username = Username,
            Password = await Password.GetValueAsync(cancellationToken),
            RequestTimeout = TimeSpan.FromSeconds(3),
            FailoverTimeout = TimeSpan.FromSeconds(3),
        };
        settings.Endpoints.AddRange(NodeList.Select(n => new Uri(n.HttpEndpoint.Url)));
        return new RqliteClient(() => Http, settings);
    }
}

/// <summary>One rqlite node, run either as a local executable or as a container.</summary>
public interface IRqliteNode : IResourceWithEndpoints, IResourceWithArgs, IResourceWithParent<RqliteClusterResource>
{
    EndpointReference HttpEndpoint { get; }

    EndpointReference RaftEndpoint { get; }
}

/// <summary>An <c>rqlited</c> process on this machine.</summary>
public sealed class RqliteNodeResource(string name, string command, RqliteClusterResource cluster)
    : ExecutableResource(name, command, workingDirectory: "."), IRqliteNode
{
    public RqliteClusterResource Parent { get; } = cluster;

    public EndpointReference HttpEndpoint => new(this, "http");

    public EndpointReference RaftEndpoint => new(this, "raft");

    public string? DataDirectory { get; internal set; }
}

/// <summary>An <c>rqlite/rqlite</c> container.</summary>
public sealed class RqliteNodeContainerResource(string name, RqliteClusterResource cluster) : ContainerResource(name), IRqliteNode
{
    public RqliteClusterResource Parent { get; } = cluster;

    public EndpointReference HttpEndpoint => new(this, "http");

    public EndpointReference RaftEndpoint => new(this, "raft");
}
