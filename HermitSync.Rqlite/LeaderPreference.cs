using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace HermitSync.Rqlite;

/// <summary>
/// Which node the client tries first. A follower forwards every write and every weak read to
/// the leader, one more hop each, so the client looks for the leader among its own endpoints
/// (each node's <c>/status</c> says whether it leads, in the address the client uses, whatever
/// the node advertises to its peers) and follows it after an election.
/// </summary>
internal sealed class LeaderPreference
{
    private readonly IReadOnlyList<Uri> _nodes;
    private readonly Func<Uri, Task<bool>> _leads;
    private readonly RqliteClientSettings _settings;
    private readonly ILogger _logger;
    private int _first;
    private long _checkedAt = long.MinValue;
    private bool _leaderKnown;
    private int _checking;

    public LeaderPreference(IReadOnlyList<Uri> nodes, Func<Uri, Task<bool>> leads, RqliteClientSettings settings, ILogger logger)
    {
        _nodes = nodes;
        _leads = leads;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>The index of the node to try first.</summary>
    public int First
    {
        get
        {
            CheckWhenDue();
            return Volatile.Read(ref _first);
        }
    }

    /// <summary>A node answered: while no leader is known, keep going there.</summary>
    public void Answered(int index)
    {
        if (!Volatile.Read(ref _leaderKnown))
        {
            Volatile.Write(ref _first, index);
        }
    }

    /// <summary>A node failed: the leader may have moved, so look for it at the pace of an election.</summary>
    public void Failed()
    {
        Volatile.Write(ref _leaderKnown, false);
        CheckWhenDue();
    }

    private void CheckWhenDue()
    {
        // While an election may run, look often; once a leader is known, only now and then, in
        // case it stepped down but stayed up (it would then forward, not fail).
        var wait = Volatile.Read(ref _leaderKnown) ? _settings.LeaderCheckInterval : _settings.LeaderSearchInterval;
        var checkedAt = Volatile.Read(ref _checkedAt);
        if (!_settings.PreferLeader || _nodes.Count < 2
            || (checkedAt != long.MinValue && Stopwatch.GetElapsedTime(checkedAt) < wait)
            || Interlocked.Exchange(ref _checking, 1) == 1)
        {
            return;
        }
        // Not part of whichever request noticed: its trace should not hold the cluster's status.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(CheckAsync);
        }
    }

    private async Task CheckAsync()
    {
        // Routine polling, not work anyone asked for: no HTTP spans for it.
        using var untraced = SuppressInstrumentationScope.Begin();
        try
        {
            // The first node that says it leads is enough: a node shutting down may hold its
            // answer for seconds, and the others must not wait for it (a step-down restarts one).
            var checks = _nodes.Select(async (node, index) => await _leads(node) ? index : -1).ToList();
            var leader = -1;
            while (leader < 0 && checks.Count > 0)
            {
                var answered = await Task.WhenAny(checks);
                checks.Remove(answered);
                leader = await answered;
            }
            Volatile.Write(ref _leaderKnown, leader >= 0);
            if (leader >= 0 && Interlocked.Exchange(ref _first, leader) != leader)
            {
                _logger.LogDebug("rqlite leader is {Node}; sending there first", _nodes[leader]);
            }
        }
        finally
        {
            Volatile.Write(ref _checkedAt, Stopwatch.GetTimestamp());
            Volatile.Write(ref _checking, 0);
        }
    }
}
