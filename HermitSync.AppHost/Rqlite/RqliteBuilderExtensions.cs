using System.Text.Json;
using HermitSync.AppHost.Site;
using HermitSync.Rqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting.ApplicationModel;

public static class RqliteBuilderExtensions
{
    public const string Image = "rqlite/rqlite";
    public const string ImageTag = "8.26.8";
    private const int ContainerHttpPort = 4001;
    private const int ContainerRaftPort = 4002;

    /// <summary>
    /// Adds an rqlite cluster of <paramref name="nodeCount"/> voters. Node <c>i</c> serves HTTP on
    /// <c>firstPort + 2(i-1)</c> and Raft on the port after it. Every node starts with the same
    /// <c>-bootstrap-expect</c> and join list, so no node is special and any may lead.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> AddRqliteCluster(
        this IDistributedApplicationBuilder builder,
        string name,
        IResourceBuilder<ParameterResource> password,
        RuntimeMode runtime,
        int firstPort,
        string? rqlitedPath = null,
        int nodeCount = 3)
    {
        var cluster = new RqliteClusterResource(name, password.Resource);
        var clusterBuilder = builder.AddResource(cluster)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "RqliteCluster",
                State = KnownResourceStates.Waiting,
                Properties = [],
            });

        for (var i = 1; i <= nodeCount; i++)
        {
            var httpPort = firstPort + (2 * (i - 1));
            var node = runtime == RuntimeMode.Container
                ? AddContainerNode(builder, cluster, $"{name}-{i}", httpPort)
                : AddExecutableNode(builder, cluster, $"{name}-{i}", httpPort, rqlitedPath ?? throw new ArgumentNullException(nameof(rqlitedPath)));
            cluster.NodeList.Add(node.Resource);

            var healthKey = $"{node.Resource.Name}-ready";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthKey, _ => new RqliteReadinessCheck(cluster, node.Resource), null, null));
            node.WithHealthCheck(healthKey);
        }

        var clusterHealthKey = $"{name}-quorum";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(clusterHealthKey, _ => new RqliteReadinessCheck(cluster, null), null, null));
        clusterBuilder.WithHealthCheck(clusterHealthKey);

        // The auth file holds the secret, so it is written at start-up with owner-only access, never committed.
        builder.Eventing.Subscribe<BeforeStartEvent>(async (_, cancellationToken) => await WriteAuthFileAsync(cluster, cancellationToken));
        builder.Eventing.Subscribe<InitializeResourceEvent>(cluster, (e, cancellationToken) =>
        {
            _ = ReportRunningOnceNodesRunAsync(cluster, e.Notifications, e.Services);
            return Task.CompletedTask;
        });
        return clusterBuilder;
    }

    /// <summary>
    /// Keeps the cluster's state on disk under <paramref name="directory"/>: the auth file,
    /// and each node's Raft log and SQLite file in its own folder.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithDataDirectory(this IResourceBuilder<RqliteClusterResource> builder, string directory)
    {
        var cluster = builder.Resource;
        cluster.DataDirectory = Path.GetFullPath(directory);
        foreach (var node in cluster.NodeList)
        {
            var nodeDirectory = Path.Combine(cluster.DataDirectory, node.Name);
            switch (node)
            {
                case RqliteNodeResource executable:
                    executable.DataDirectory = nodeDirectory;
                    break;
                case RqliteNodeContainerResource container:
                    Directory.CreateDirectory(nodeDirectory);
                    builder.ApplicationBuilder.CreateResourceBuilder(container)
                        .WithBindMount(nodeDirectory, "/rqlite/file")
                        .WithBindMount(cluster.AuthFile, "/rqlite/auth.json", isReadOnly: true);
                    break;
            }
        }
        return builder;
    }

    /// <summary>
    /// Adds the dashboard command "Back up database": a consistent SQLite copy of the cluster's
    /// database, fetched from the leader, written to <c>backups/backup-yyyyMMdd-HHmmss.sqlite3</c>
    /// (UTC) in the cluster's data directory.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithBackupCommand(this IResourceBuilder<RqliteClusterResource> builder)
    {
        var cluster = builder.Resource;
        return builder.WithCommand("backup", "Back up database", async context =>
        {
            var directory = Path.Combine(cluster.DataDirectory ?? throw new InvalidOperationException($"Call WithDataDirectory on '{cluster.Name}' first."), "backups");
            Directory.CreateDirectory(directory);
            var path = Path.Combine(directory, $"backup-{DateTime.UtcNow:yyyyMMdd-HHmmss}.sqlite3");
            // A backup that fails half-way must not look like one that worked.
            var partial = path + ".partial";
            try
            {
                var client = await cluster.CreateClientAsync(context.CancellationToken);
                await using (var file = new FileStream(partial, OwnerOnly(FileMode.CreateNew)))
                {
                    await client.BackupAsync(file, context.CancellationToken);
                }
                File.Move(partial, path);
            }
            catch (Exception e) when (e is RqliteException or IOException)
            {
                File.Delete(partial);
                return CommandResults.Failure($"The backup failed: {e.Message}");
            }
            return CommandResults.Success($"Backed up to {path}");
        }, new CommandOptions
        {
            Description = "Writes a consistent SQLite copy of the database into the cluster's backups folder.",
            IconName = "DatabaseArrowDown",
            UpdateState = EnabledWhileRunning,
        });
    }

    /// <summary>
    /// Adds the dashboard command "Step down leader": the leader hands leadership to a follower.
    /// rqlite 8.26 has no HTTP endpoint for that, but a leader that is shut down gracefully
    /// transfers leadership first (<c>-raft-shutdown-stepdown</c>, on by default), so the command
    /// restarts the leader through Aspire, and it rejoins as a follower.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithStepDownCommand(this IResourceBuilder<RqliteClusterResource> builder)
    {
        var cluster = builder.Resource;
        return builder.WithCommand("step-down", "Step down leader", async context =>
        {
            try
            {
                var client = await cluster.CreateClientAsync(context.CancellationToken);
                var nodes = await client.GetNodesAsync(context.CancellationToken);
                // With a node already down, restarting the leader would leave one voter of three: no quorum.
                if (nodes.Where(n => !n.Reachable).Select(n => n.Id).ToList() is [_, ..] unreachable)
                {
                    return CommandResults.Failure($"Not while {string.Join(", ", unreachable)} is down: restarting the leader now would lose quorum.");
                }
                if (nodes.SingleOrDefault(n => n.Leader) is not { } leader || cluster.NodeList.SingleOrDefault(n => n.Name == leader.Id) is not { } leaderNode)
                {
                    return CommandResults.Failure("The cluster has no leader to step down.");
                }

                var commands = context.Services.GetRequiredService<ResourceCommandService>();
                var restarted = await commands.ExecuteCommandAsync(leaderNode, KnownResourceCommands.RestartCommand, context.CancellationToken);
                if (!restarted.Success)
                {
                    return CommandResults.Failure($"Restarting {leader.Id} failed: {restarted.Message}");
                }
                var successor = await WaitForLeaderAsync(client, context.CancellationToken);
                return successor == leader.Id
                    ? CommandResults.Failure($"{leader.Id} restarted and won the election again.")
                    : CommandResults.Success($"{successor} leads now; {leader.Id} rejoined as a follower.");
            }
            catch (RqliteException e)
            {
                return CommandResults.Failure($"The cluster did not answer: {e.Message}");
            }
        }, new CommandOptions
        {
            Description = "Hands leadership to a follower by restarting the leader gracefully.",
            IconName = "ArrowSwap",
            ConfirmationMessage = "Restart the leader so that a follower takes over? Writes pause for about a second.",
            UpdateState = EnabledWhileRunning,
        });
    }

    private static async Task<string> WaitForLeaderAsync(RqliteClient client, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await client.GetNodesAsync(cancellationToken)).SingleOrDefault(n => n.Leader) is { } leader)
                {
                    return leader.Id;
                }
            }
            catch (RqliteException)
            {
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
        throw new RqliteException("no leader was elected within 30 s");
    }

    private static ResourceCommandState EnabledWhileRunning(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;

    /// <summary>Files that hold secrets or notes are readable by their owner alone.</summary>
    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        return options;
    }

    private static IResourceBuilder<IRqliteNode> AddExecutableNode(
        IDistributedApplicationBuilder builder, RqliteClusterResource cluster, string name, int httpPort, string rqlitedPath)
    {
        var node = new RqliteNodeResource(name, rqlitedPath, cluster);
        // rqlite advertises its own address to peers, so it must listen where peers connect: no proxy.
        var resource = builder.AddResource(node)
            .WithHttpEndpoint(port: httpPort, name: "http", isProxied: false)
            .WithEndpoint(port: httpPort + 1, name: "raft", scheme: "tcp", isProxied: false)
            .WithArgs(context =>
            {
                var http = Loopback(node.HttpEndpoint);
                var raft = Loopback(node.RaftEndpoint);
                context.Args.Add("-node-id");
                context.Args.Add(name);
                context.Args.Add("-http-addr");
                context.Args.Add(http);
                context.Args.Add("-http-adv-addr");
                context.Args.Add(http);
                context.Args.Add("-raft-addr");
                context.Args.Add(raft);
                context.Args.Add("-raft-adv-addr");
                context.Args.Add(raft);
                AddClusterArgs(context, cluster, JoinList(cluster, n => Loopback(n.RaftEndpoint)), cluster.AuthFile);
                context.Args.Add(node.DataDirectory ?? throw new InvalidOperationException($"Call WithDataDirectory on '{cluster.Name}' first."));
            });
        return builder.CreateResourceBuilder<IRqliteNode>(resource.Resource);
    }

    private static IResourceBuilder<IRqliteNode> AddContainerNode(
        IDistributedApplicationBuilder builder, RqliteClusterResource cluster, string name, int httpPort)
    {
        var node = new RqliteNodeContainerResource(name, cluster);
        // Inside the container network each node is reachable by its resource name.
        var resource = builder.AddResource(node)
            .WithImage(Image, ImageTag)
            .WithImageRegistry("docker.io")
            .WithHttpEndpoint(port: httpPort, targetPort: ContainerHttpPort, name: "http")
            .WithEndpoint(port: httpPort + 1, targetPort: ContainerRaftPort, name: "raft", scheme: "tcp")
            .WithEnvironment("DATA_DIR", "/rqlite/file/data")
            .WithArgs(context =>
            {
                context.Args.Add("-node-id");
                context.Args.Add(name);
                context.Args.Add("-http-addr");
                context.Args.Add($"0.0.0.0:{ContainerHttpPort}");
                context.Args.Add("-http-adv-addr");
                context.Args.Add($"{name}:{ContainerHttpPort}");
                context.Args.Add("-raft-addr");
                context.Args.Add($"0.0.0.0:{ContainerRaftPort}");
                context.Args.Add("-raft-adv-addr");
                context.Args.Add($"{name}:{ContainerRaftPort}");
                AddClusterArgs(context, cluster, string.Join(",", cluster.NodeList.Select(n => $"{n.Name}:{ContainerRaftPort}")), "/rqlite/auth.json");
            });
        return builder.CreateResourceBuilder<IRqliteNode>(resource.Resource);
    }

    private static void AddClusterArgs(CommandLineArgsCallbackContext context, RqliteClusterResource cluster, object joinList, string authFile)
    {
        context.Args.Add("-bootstrap-expect");
        context.Args.Add(cluster.NodeList.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        context.Args.Add("-join");
        context.Args.Add(joinList);
        context.Args.Add("-join-as");
        context.Args.Add(RqliteClusterResource.Username);
        context.Args.Add("-auth");
        context.Args.Add(authFile);
    }

    private static ReferenceExpression Loopback(EndpointReference endpoint) =>
        ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");

    private static ReferenceExpression JoinList(RqliteClusterResource cluster, Func<IRqliteNode, ReferenceExpression> address)
    {
        var list = new ReferenceExpressionBuilder();
        for (var i = 0; i < cluster.NodeList.Count; i++)
        {
            list.AppendLiteral(i == 0 ? "" : ",");
            list.Append($"{address(cluster.NodeList[i])}");
        }
        return list.Build();
    }

    private static async Task WriteAuthFileAsync(RqliteClusterResource cluster, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(cluster.DataDirectory!);
        var users = new[]
        {
            new Dictionary<string, object>
            {
                ["username"] = RqliteClusterResource.Username,
                ["password"] = await cluster.Password.GetValueAsync(cancellationToken) ?? "",
                ["perms"] = new[] { "all" },
            },
        };
        var temporary = cluster.AuthFile + ".tmp";
        await using (var file = new FileStream(temporary, OwnerOnly(FileMode.Create)))
        {
            await JsonSerializer.SerializeAsync(file, users, cancellationToken: cancellationToken);
        }
        File.Move(temporary, cluster.AuthFile, overwrite: true);
    }

    /// <summary>The cluster has no process of its own: it runs once all its nodes run.</summary>
    private static async Task ReportRunningOnceNodesRunAsync(RqliteClusterResource cluster, ResourceNotificationService notifications, IServiceProvider services)
    {
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        try
        {
            await notifications.PublishUpdateAsync(cluster, s => s with { State = KnownResourceStates.Starting });
            foreach (var node in cluster.NodeList)
            {
                await notifications.WaitForResourceAsync(node.Name, KnownResourceStates.Running, stopping);
            }
            await notifications.PublishUpdateAsync(cluster, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
        }
        catch (OperationCanceledException)
        {
        }
    }
}
