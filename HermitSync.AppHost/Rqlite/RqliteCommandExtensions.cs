using HermitSync.AppHost;
using HermitSync.Rqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>The cluster's dashboard commands.</summary>
public static class RqliteCommandExtensions
{
    /// <summary>The name "Step down leader" is run by, from the dashboard's button or from code.</summary>
    public const string StepDownCommand = "step-down";

    /// <summary>
    /// Adds the dashboard command "Back up database": a consistent SQLite copy of the cluster's
    /// database, fetched from the leader, written to <c>backups/backup-yyyyMMdd-HHmmss.sqlite3</c>
    /// (UTC) in the cluster's data directory, and kept until a person deletes it.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithBackupCommand(this IResourceBuilder<RqliteClusterResource> builder)
    {
        var cluster = builder.Resource;
        return builder.WithCommand("backup", "Back up database", async context =>
        {
            try
            {
                var path = await RqliteBackups.WriteAsync(cluster, RqliteBackups.ManualPrefix, DateTimeOffset.UtcNow, context.CancellationToken);
                return CommandResults.Success($"Backed up to {path}");
            }
            catch (Exception e) when (e is RqliteException or IOException)
            {
                return CommandResults.Failure($"The backup failed: {e.Message}");
            }
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
        return builder.WithCommand(StepDownCommand, "Step down leader", async context =>
        {
            try
            {
                var client = await cluster.CreateClientAsync(RqliteUser.Monitor, context.CancellationToken);
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
                var successor = await WaitForLeaderAsync(client, cluster.Timeouts, context.CancellationToken);
                if (await RejoinAsync(leaderNode, commands, context.Services.GetRequiredService<ResourceNotificationService>(), cluster.Timeouts, context.CancellationToken) is { } problem)
                {
                    return CommandResults.Failure($"{successor} leads now, but {leader.Id} did not come back: {problem}");
                }
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
            ConfirmationMessage = "Restart the leader so that a follower takes over? Writes may pause for a few seconds.",
            UpdateState = EnabledWhileRunning,
        });
    }

    /// <summary>
    /// Sees the old leader running again. On a busy machine its graceful shutdown can outlast the
    /// restart, and the new process then fails to take its ports or its store: it is started
    /// again, a few times, before the command gives up. Null when it runs.
    /// </summary>
    private static async Task<string?> RejoinAsync(IResource node, ResourceCommandService commands, ResourceNotificationService notifications,
        RqliteHostingTimeouts timeouts, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(timeouts.Election);
            var state = (await notifications.WaitForResourceAsync(node.Name,
                e => e.Snapshot.State?.Text is { } text && (text == KnownResourceStates.Running || KnownResourceStates.TerminalStates.Contains(text)), wait.Token)).Snapshot.State?.Text;
            if (state == KnownResourceStates.Running)
            {
                return null;
            }
            if (attempt == timeouts.RejoinAttempts)
            {
                return $"it ended as {state} {attempt + 1} times";
            }
            await Task.Delay(timeouts.LeaderPoll * (attempt + 1), cancellationToken);
            if (await commands.ExecuteCommandAsync(node, KnownResourceCommands.StartCommand, cancellationToken) is { Success: false } refused)
            {
                return $"it ended as {state}, and starting it again failed: {refused.Message}";
            }
        }
    }

    private static async Task<string> WaitForLeaderAsync(RqliteClient client, RqliteHostingTimeouts timeouts, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeouts.Election;
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
            await Task.Delay(timeouts.LeaderPoll, cancellationToken);
        }
        throw new RqliteException($"no leader was elected within {timeouts.Election.TotalSeconds:0} s");
    }

    private static ResourceCommandState EnabledWhileRunning(UpdateCommandStateContext context) =>
        context.ResourceSnapshot.State?.Text == KnownResourceStates.Running ? ResourceCommandState.Enabled : ResourceCommandState.Disabled;
}
