namespace Aspire.Hosting.ApplicationModel;

/// <summary>One rqlite node, run either as a container (the default) or as a local executable.</summary>
public interface IRqliteNode : IResourceWithEndpoints, IResourceWithArgs, IResourceWithParent<RqliteClusterResource>
{
    EndpointReference HttpEndpoint { get; }

    EndpointReference RaftEndpoint { get; }
}

/// <summary>An <c>rqlite/rqlite</c> container.</summary>
public sealed class RqliteNodeContainerResource(string name, RqliteClusterResource cluster) : ContainerResource(name), IRqliteNode
{
    public RqliteClusterResource Parent { get; } = cluster;

    public EndpointReference HttpEndpoint => new(this, "http");

    public EndpointReference RaftEndpoint => new(this, "raft");
}

/// <summary>An <c>rqlited</c> process on this machine, the form <c>RunAsExecutable</c> chooses.</summary>
public sealed class RqliteNodeExecutableResource(string name, string command, RqliteClusterResource cluster)
    : ExecutableResource(name, command, workingDirectory: "."), IRqliteNode
{
    public RqliteClusterResource Parent { get; } = cluster;

    public EndpointReference HttpEndpoint => new(this, "http");

    public EndpointReference RaftEndpoint => new(this, "raft");
}
