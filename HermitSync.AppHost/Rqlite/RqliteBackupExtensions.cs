using System.Globalization;
using HermitSync.AppHost;
using HermitSync.Rqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>Automatic backups of the cluster, and a restore that rebuilds it from one.</summary>
public static class RqliteBackupExtensions
{
    /// <summary>
    /// Backs the database up every <see cref="RqliteBackupOptions.Interval"/> while the app runs,
    /// into <c>backups/auto-yyyyMMdd-HHmmss.sqlite3</c>, and keeps the newest
    /// <see cref="RqliteBackupOptions.Keep"/>. A backup that fails is logged on the cluster and
    /// tried again; the cluster's console log in the dashboard shows both.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithAutomaticBackups(this IResourceBuilder<RqliteClusterResource> builder, RqliteBackupOptions options)
    {
        var cluster = builder.Resource;
        options = options.Validated();
        var started = 0;
        builder.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(cluster, (e, cancellationToken) =>
        {
            // Ready again after an outage is the same run: one schedule.
            if (Interlocked.Exchange(ref started, 1) == 0)
            {
                var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(cluster);
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                _ = Task.Run(() => BackUpOnScheduleAsync(cluster, options, TimeProvider.System, logger, stopping), stopping);
            }
            return Task.CompletedTask;
        });
        return builder;
    }

    /// <summary>
    /// Rebuilds the cluster from <paramref name="backup"/> at this start: before any node starts,
    /// each node's data is moved into <c>replaced-yyyyMMdd-HHmmss/</c> beside them (kept, not
    /// deleted), so the nodes form a new cluster; once it has a leader, the backup is loaded into
    /// it through Raft, before any resource that waits for the cluster starts. <paramref name="check"/>
    /// sees the backup and the nodes' current database files first, and refuses by throwing.
    /// </summary>
    public static IResourceBuilder<RqliteClusterResource> WithRestoreFrom(
        this IResourceBuilder<RqliteClusterResource> builder, string backup, Action<string, IReadOnlyList<string>> check)
    {
        var cluster = builder.Resource;
        var path = Path.GetFullPath(backup);
        if (!builder.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return builder;
        }
        string? replaced = null;
        builder.ApplicationBuilder.Eventing.Subscribe<BeforeStartEvent>(async (_, cancellationToken) =>
        {
            await RefuseWhileRunningAsync(cluster, cancellationToken);
            check(path, cluster.Nodes.Select(node => Path.Combine(cluster.NodeDirectory(node), "db.sqlite")).ToArray());
            replaced = SetNodesAside(cluster);
        });
        var loaded = 0;
        builder.ApplicationBuilder.Eventing.Subscribe<ResourceReadyEvent>(cluster, async (e, cancellationToken) =>
        {
            if (Interlocked.Exchange(ref loaded, 1) == 1)
            {
                return;
            }
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(cluster);
            var client = await cluster.CreateClientAsync(RqliteUser.Restore, cancellationToken, cluster.Timeouts.Transfer);
            await client.LoadAsync(() => File.OpenRead(path), cancellationToken);
            logger.LogInformation("Restored the database from {Backup} ({Bytes:N0} bytes){Replaced}", path, new FileInfo(path).Length,
                replaced is null ? "" : $"; what it replaced is in {replaced}");
        });
        return builder;
    }

    private static async Task BackUpOnScheduleAsync(RqliteClusterResource cluster, RqliteBackupOptions options, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        var started = time.GetUtcNow();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var now = time.GetUtcNow();
                var newest = RqliteBackups.Automatic(cluster.BackupDirectory).Select(RqliteBackups.TakenAt).FirstOrDefault();
                // A backup dated in the future (the clock was set back) counts as taken now, so backups do not stop until then.
                var due = (newest is { } taken ? (taken < now ? taken : now) : started) + options.Interval;
                if (due > now)
                {
                    await Task.Delay(due - now, time, stopping);
                }
                try
                {
                    var path = await RqliteBackups.WriteAsync(cluster, RqliteBackups.AutomaticPrefix, time.GetUtcNow(), stopping);
                    var pruned = RqliteBackups.Prune(cluster.BackupDirectory, options.Keep);
                    logger.LogInformation("Backed up to {Backup}; {Pruned} older automatic backups deleted, {Keep} kept", path, pruned.Count, options.Keep);
                }
                // Whatever went wrong, the schedule goes on: a backup that failed once may work the next time.
                catch (Exception e) when (!stopping.IsCancellationRequested)
                {
                    var retry = options.RetryDelay < options.Interval ? options.RetryDelay : options.Interval;
                    logger.LogWarning("The automatic backup failed: {Reason}. Trying again in {Retry}", e.Message, retry);
                    await Task.Delay(retry, time, stopping);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>A node that still runs would have its data moved from under it: the site must be stopped first.</summary>
    private static async Task RefuseWhileRunningAsync(RqliteClusterResource cluster, CancellationToken cancellationToken)
    {
        for (var i = 0; i < cluster.Nodes.Count; i++)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(cluster.Timeouts.Request);
            try
            {
                await probe.ConnectAsync(System.Net.IPAddress.Loopback, cluster.HttpPort(i), timeout.Token);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                continue;
            }
            throw new InvalidOperationException(
                $"Something answers on {cluster.Nodes[i].Name}'s port {cluster.HttpPort(i)}: the site still runs. Stop it (Ctrl+C where ./hermit run runs), then restore.");
        }
    }

    /// <summary>Moves each node's data into one folder beside them; returns it, or null when no node had any.</summary>
    private static string? SetNodesAside(RqliteClusterResource cluster)
    {
        var aside = Path.Combine(cluster.DataDirectory!, $"replaced-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        var moved = false;
        foreach (var node in cluster.Nodes)
        {
            var directory = cluster.NodeDirectory(node);
            if (Directory.Exists(directory))
            {
                OwnerOnly.CreateDirectory(aside);
                Directory.Move(directory, Path.Combine(aside, node.Name));
                moved = true;
            }
            // A container's bind mount needs its folder, owner-only, as the cluster's start made it.
            OwnerOnly.CreateDirectory(directory);
        }
        return moved ? aside : null;
    }
}
