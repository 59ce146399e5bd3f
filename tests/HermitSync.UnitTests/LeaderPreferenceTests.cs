using HermitSync.Rqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace HermitSync.UnitTests;

public sealed class LeaderPreferenceTests
{
    [Fact]
    public async Task A_node_that_holds_its_answer_does_not_delay_finding_the_leader()
    {
        var nodes = new[] { new Uri("http://127.0.0.1:1"), new Uri("http://127.0.0.1:2"), new Uri("http://127.0.0.1:3") };
        var shuttingDown = new TaskCompletionSource<bool>();
        var preference = new LeaderPreference(
            nodes,
            node => node == nodes[0] ? shuttingDown.Task : Task.FromResult(node == nodes[1]),
            new RqliteClientSettings(),
            NullLogger.Instance);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (preference.First != 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, preference.First);
        shuttingDown.SetResult(false);
    }
}
