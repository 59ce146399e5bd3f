using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.IntegrationTests.Stack;
using HermitSync.Rqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit.Abstractions;

namespace HermitSync.IntegrationTests.Faults;

/// <summary>
/// A follower, then the leader, crashed with SIGKILL under a continuous write load and started
/// again through Aspire; then the leader handed over by the "Step down leader" command. Every
/// acknowledged write must be on every node, once.
/// </summary>
public sealed class NodeLossTests(StackFixture stack, ITestOutputHelper output) : IClassFixture<StackFixture>
{
    private const string Steady = "steady", FollowerDown = "follower down", FollowerBack = "follower back", LeaderDown = "leader down", LeaderBack = "leader back",
        SteadyAgain = "steady again", SteppedDown = "stepped down";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>How long the API's rqlite client fails over before it answers 503: the budget a write may take when the leader is lost.</summary>
    private static readonly TimeSpan FailoverBudget = new RqliteClientSettings().FailoverTimeout;

    /// <summary>A client waits out the failover budget and a little more for the API's own work, then gives up.</summary>
    private static readonly TimeSpan ClientTimeout = FailoverBudget + TimeSpan.FromSeconds(2);

    /// <summary>Two busy cores may wake a client that long after its timeout or its answer.</summary>
    private static readonly TimeSpan SchedulingSlack = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A graceful handover, told apart from an election after a lost leader (about 5 s here):
    /// measured 0.3 s on a quiet machine and up to 1.02 s under this test's load while CI shared
    /// the two cores, so the bound leaves room for that and stays well short of an election.
    /// </summary>
    private static readonly TimeSpan MaxHandover = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task Losing_a_follower_and_then_the_leader_under_load_loses_and_duplicates_nothing()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var rqlite = stack.Rqlite();
        var rqliteName = stack.Name("", SiteResource.Rqlite);
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        await using var load = new WriteLoad(stack.ApiClient(), writers: 4, ClientTimeout);
        await load.WaitForAcknowledgementsAsync(20, Patience);

        var follower = (await rqlite.GetNodesAsync(timeout.Token)).First(n => !n.Leader).Id;
        load.Phase = FollowerDown;
        await ResourceProcess.KillAsync(stack.App, follower, timeout.Token);
        await load.WaitForAcknowledgementsAsync(40, Patience);
        await AssertDegradedEverywhereAsync(follower, timeout.Token);
        var refused = await commands.ExecuteCommandAsync(rqliteName, RqliteCommandExtensions.StepDownCommand, timeout.Token);
        Assert.False(refused.Success, "Step down leader restarted the leader with a follower down");
        Assert.Contains(follower, refused.Message);

        load.Phase = FollowerBack;
        await ResourceProcess.StartAsync(stack.App, follower, timeout.Token);
        await load.WaitForAcknowledgementsAsync(20, Patience);

        var leader = (await rqlite.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;
        load.Phase = LeaderDown;
        var killedAt = Stopwatch.GetTimestamp();
        await ResourceProcess.KillAsync(stack.App, leader, timeout.Token);
        await load.WaitForAcknowledgementsAsync(40, Patience);
        var recovery = load.FirstAcknowledgementAfter(killedAt);
        var electedAfterKill = (await rqlite.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;

        load.Phase = LeaderBack;
        await ResourceProcess.StartAsync(stack.App, leader, timeout.Token);
        await load.WaitForAcknowledgementsAsync(20, Patience);

        // The wait a client feels anyway on this machine, to tell the step-down's pause from it.
        load.Phase = SteadyAgain;
        await load.WaitForAcknowledgementsAsync(40, Patience);
        var current = (await rqlite.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;
        load.Phase = SteppedDown;
        var handover = TimeToNewLeaderAsync(rqlite, current, timeout.Token);
        var steppedDown = await commands.ExecuteCommandAsync(rqliteName, RqliteCommandExtensions.StepDownCommand, timeout.Token);
        var handoverSeconds = await handover;
        await load.WaitForAcknowledgementsAsync(20, Patience);
        var afterStepDown = (await rqlite.GetNodesAsync(timeout.Token)).Single(n => n.Leader).Id;
        await load.StopAsync();

        // The whole report first, so a failing assert below still leaves it in the output.
        var report = new List<string>
        {
            $"writes attempted {load.Attempted}, acknowledged {load.Acknowledged.Count}, in doubt {load.Attempted - load.Acknowledged.Count}",
            $"first acknowledged write after the leader's SIGKILL: {recovery:0.000} s",
            $"another node led {handoverSeconds:0.000} s after the step-down began",
            $"the step-down's longest write waited {load.LongestWaitIn(SteppedDown) - load.LongestWaitIn(SteadyAgain):0.000} s more than the steady load's",
        };
        report.AddRange(new[] { Steady, FollowerDown, FollowerBack, LeaderDown, LeaderBack, SteadyAgain, SteppedDown }.Select(phase =>
            $"{phase,-14} acknowledged {load.AcknowledgedIn(phase),5}  client errors {load.ErrorsIn(phase),3}  longest wait {load.LongestWaitIn(phase):0.000} s"));
        var nodes = new List<(string Node, IReadOnlyCollection<Guid> Lost, long Duplicated)>();
        for (var node = 1; node <= 3; node++)
        {
            var (lost, duplicated) = await load.CheckNodeAsync(rqlite, stack.RqliteNode(node), timeout.Token);
            nodes.Add((stack.RqliteNodeName(node), lost, duplicated));
            report.Add($"{stack.RqliteNodeName(node)}: lost {lost.Count}, duplicated {duplicated}");
        }
        report.AddRange(load.Errors.Select(error => $"client error {error}"));
        output.WriteLine(string.Join(Environment.NewLine, report));

        Assert.NotEqual(leader, electedAfterKill);
        Assert.True(steppedDown.Success, steppedDown.Message);
        Assert.NotEqual(current, afterStepDown);
        Assert.All(nodes, node => Assert.True(node.Lost.Count == 0 && node.Duplicated == 0, $"{node.Node}: lost {node.Lost.Count}, duplicated {node.Duplicated}"));
        Assert.Equal(load.Attempted, load.Acknowledged.Count);
        // Failover hides a lost follower and a handed-over leadership completely: no write waits past the client's timeout
        // (how long one waits is a figure of the shared machine, in the report above, not a bound). Only the election after
        // a lost leader may show, and then only as the API's 503 after its failover budget, or as a client giving up just after it.
        Assert.Equal(0, load.ErrorsIn(Steady) + load.ErrorsIn(FollowerDown) + load.ErrorsIn(FollowerBack) + load.ErrorsIn(LeaderBack) + load.ErrorsIn(SteadyAgain) + load.ErrorsIn(SteppedDown));
        Assert.All(load.Errors, error => Assert.True(
            ((error.Status == HttpStatusCode.ServiceUnavailable && error.ContentType == "application/problem+json") || error.TimedOut)
            && error.Seconds <= (ClientTimeout + SchedulingSlack).TotalSeconds,
            $"not a 503 ProblemDetails nor a timeout within the failover budget: {error}"));
        // A graceful handover takes a few hundred milliseconds; an election after a lost leader takes seconds.
        Assert.True(handoverSeconds < MaxHandover.TotalSeconds, $"another node led only {handoverSeconds:0.000} s after the step-down began, not within {MaxHandover.TotalSeconds} s");
    }

    /// <summary>Seconds from now until the cluster reports a leader other than <paramref name="leader"/>.</summary>
    private static async Task<double> TimeToNewLeaderAsync(RqliteClient rqlite, string leader, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await rqlite.GetNodesAsync(cancellationToken)).SingleOrDefault(n => n.Leader) is { } now && now.Id != leader)
                {
                    return started.Elapsed.TotalSeconds;
                }
            }
            catch (RqliteException)
            {
                // A node on its way down may not answer: ask again.
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    /// <summary>The API, the web cluster page and the Aspire dashboard all say Degraded while a node is down, and which node.</summary>
    private async Task AssertDegradedEverywhereAsync(string downNode, CancellationToken cancellationToken)
    {
        using var web = stack.WebBrowserClient();
        var deadline = Stopwatch.StartNew();
        ClusterStatus cluster;
        while ((cluster = (await web.GetFromJsonAsync<ClusterStatus>("/api/cluster", cancellationToken))!).Health != "Degraded")
        {
            Assert.True(deadline.Elapsed < Patience, $"/api/cluster never said Degraded: {cluster}");
            await Task.Delay(250, cancellationToken);
        }
        Assert.Equal(2, cluster.Reachable);
        var leader = (await stack.Rqlite().GetNodesAsync(cancellationToken)).Single(n => n.Leader && n.Reachable).Id;
        var page = await ClusterPage.ReadAsync(web, cancellationToken);
        Assert.Equal("Degraded", page.Health);
        Assert.Equal(leader, page.Leader);
        Assert.Equal("leader", page.Node(leader).Role);
        Assert.False(page.Node(downNode).Up, $"{downNode} is down but its row says {page.Node(downNode).State}");
        Assert.StartsWith("down", page.Node(downNode).State);
        Assert.All(page.Nodes.Where(row => row.Node != downNode), row => Assert.True(row.Up, $"{row.Node} shows {row.State}"));

        using var dashboard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        dashboard.CancelAfter(Patience);
        await stack.App.ResourceNotifications.WaitForResourceAsync(stack.Name("", SiteResource.Rqlite), e => e.Snapshot.HealthStatus == HealthStatus.Degraded, dashboard.Token);
    }
}
