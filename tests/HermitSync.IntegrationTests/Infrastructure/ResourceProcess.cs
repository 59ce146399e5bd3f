using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

namespace HermitSync.IntegrationTests.Infrastructure;

/// <summary>
/// The operating-system process behind an Aspire resource, found through the PID the resource
/// reports, so a test can crash it the way a power cut or the OOM killer would.
/// </summary>
public static class ResourceProcess
{
    private const string PidProperty = "executable.pid";

    /// <summary>
    /// The PID of the resource's running process, once it has one. Just after a restart the
    /// snapshot may say Running while it still names the process that exited, so the PID must
    /// belong to a live process.
    /// </summary>
    public static async Task<int> PidAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        var running = await app.ResourceNotifications.WaitForResourceAsync(
            resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e.Snapshot) is { } pid && ProcessTable.Read(pid) is not null,
            cancellationToken);
        return Pid(running.Snapshot)!.Value;
    }

    /// <summary>
    /// SIGKILL to the process and everything it started: no shutdown hook, no flush. Waits
    /// until it is gone.
    /// </summary>
    public static async Task KillAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        using var process = Process.GetProcessById(await PidAsync(app, resource, cancellationToken));
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(cancellationToken);
    }

    /// <summary>
    /// Starts a stopped or crashed resource through Aspire and waits until it is healthy. It
    /// waits for Running first: until then the snapshot may still show the old process's exit.
    /// </summary>
    public static async Task StartAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        // Until Aspire has seen a killed process exit, it still offers no start.
        await app.ResourceNotifications.WaitForResourceAsync(resource, e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), cancellationToken);
        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var started = await commands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(started.Success, $"Aspire could not start {resource}: {started.Message}");
        await app.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, cancellationToken);
        await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
    }

    /// <summary>Starts the resource again unless its process runs: for a <c>finally</c> after a test that may have killed it.</summary>
    public static async Task StartIfDownAsync(DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        if (app.ResourceNotifications.TryGetCurrentState(resource, out var current)
            && current.Snapshot.State?.Text == KnownResourceStates.Running
            && Pid(current.Snapshot) is { } pid && ProcessTable.Read(pid) is not null)
        {
            return;
        }
        await StartAsync(app, resource, cancellationToken);
    }

    /// <summary>The PID a resource's snapshot reports, if its process runs.</summary>
    public static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, out var pid) => pid,
            _ => null,
        };
}
