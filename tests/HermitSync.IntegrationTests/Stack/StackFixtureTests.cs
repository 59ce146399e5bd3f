using System.Net;
using System.Net.Sockets;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>How the tests' stack reports a start that cannot succeed: at once, and with the reason.</summary>
public sealed class StackFixtureTests
{
    [Fact]
    public async Task A_process_that_exits_while_the_stack_starts_fails_the_start_at_once_with_its_last_lines()
    {
        var stack = new StackFixture();
        try
        {
            using var taken = new TcpListener(IPAddress.Loopback, stack.Site().SyncthingGuiPort);
            taken.Start();

            var failure = await Assert.ThrowsAsync<InvalidOperationException>(stack.InitializeAsync);

            Assert.StartsWith("syncthing ended while the stack started:", failure.Message);
            Assert.Contains($"127.0.0.1:{stack.Site().SyncthingGuiPort}: bind: address already in use", failure.Message);
        }
        finally
        {
            stack.Settings.DeleteData();
        }
    }
}
