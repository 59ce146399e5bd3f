using System.Globalization;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The <c>rqlited</c> command line of a node, in either form. Every node gets the same
/// <c>-bootstrap-expect</c> and join list, so no node is special and any may lead. The join list
/// holds Raft addresses: rqlite v8's <c>-join</c> takes those, not HTTP ones.
/// </summary>
internal static class RqliteNodeArguments
{
    public const int ContainerHttpPort = 4001;
    public const int ContainerRaftPort = 4002;
    public const string ContainerAuthFile = "/rqlite/auth.json";
    public const string ContainerDataMount = "/rqlite/file";

    /// <summary>
    /// rqlite advertises its own address to peers, so it listens where they connect. Addresses are
    /// endpoint expressions, never literal ports: Aspire.Hosting.Testing may move them.
    /// </summary>
    public static void ForExecutable(CommandLineArgsCallbackContext context, RqliteNodeExecutableResource node)
    {
        var cluster = node.Parent;
        var http = Loopback(node.HttpEndpoint);
        var raft = Loopback(node.RaftEndpoint);
        AddAddresses(context, node.Name, (http, http), (raft, raft));
        AddCluster(context, cluster, JoinList(cluster.NodeList.Select(n => Loopback(n.RaftEndpoint))), cluster.AuthFile);
        context.Args.Add(cluster.NodeDirectory(node));
    }

    /// <summary>
    /// Inside the container network each node is reachable by its resource name, on the image's own
    /// ports; it listens on every interface of its own container.
    /// </summary>
    public static void ForContainer(CommandLineArgsCallbackContext context, RqliteNodeContainerResource node)
    {
        var cluster = node.Parent;
        AddAddresses(context, node.Name,
            ($"0.0.0.0:{ContainerHttpPort}", $"{node.Name}:{ContainerHttpPort}"),
            ($"0.0.0.0:{ContainerRaftPort}", $"{node.Name}:{ContainerRaftPort}"));
        AddCluster(context, cluster, string.Join(",", cluster.NodeList.Select(n => $"{n.Name}:{ContainerRaftPort}")), ContainerAuthFile);
    }

    private static void AddAddresses(CommandLineArgsCallbackContext context, string nodeId, (object Listen, object Advertise) http, (object Listen, object Advertise) raft)
    {
        context.Args.Add("-node-id");
        context.Args.Add(nodeId);
        context.Args.Add("-http-addr");
        context.Args.Add(http.Listen);
        context.Args.Add("-http-adv-addr");
        context.Args.Add(http.Advertise);
        context.Args.Add("-raft-addr");
        context.Args.Add(raft.Listen);
        context.Args.Add("-raft-adv-addr");
        context.Args.Add(raft.Advertise);
    }

    private static void AddCluster(CommandLineArgsCallbackContext context, RqliteClusterResource cluster, object joinList, string authFile)
    {
        context.Args.Add("-bootstrap-expect");
        context.Args.Add(cluster.NodeList.Count.ToString(CultureInfo.InvariantCulture));
        context.Args.Add("-join");
        context.Args.Add(joinList);
        // A name, not a password: rqlited reads the password from the auth file.
        context.Args.Add("-join-as");
        context.Args.Add(RqliteUser.Join.Name);
        context.Args.Add("-auth");
        context.Args.Add(authFile);
    }

    private static ReferenceExpression Loopback(EndpointReference endpoint) =>
        ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");

    private static ReferenceExpression JoinList(IEnumerable<ReferenceExpression> addresses)
    {
        var list = new ReferenceExpressionBuilder();
        var first = true;
        foreach (var address in addresses)
        {
            list.AppendLiteral(first ? "" : ",");
            list.Append($"{address}");
            first = false;
        }
        return list.Build();
    }
}
