using System.Threading.Channels;

namespace HermitSync.Api.Sync;

/// <summary>
/// Tells the exporter that this site wrote something of its own (a revision, a property, an
/// attachment), so it exports and seals now rather than at its next look, and so an idle site
/// need not look often. Hints are folded together: one at a time goes to the exporter, at most
/// one every <see cref="Gap"/>, however many writes come meanwhile. Only a hint: one that is
/// lost delays an export to the exporter's next look, and loses nothing.
/// </summary>
public sealed class ExportHints(IServiceProvider services, TimeProvider time) : BackgroundService
{
    /// <summary>Under a burst of writes, the exporter is told no more often than it used to look on its own.</summary>
    public static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(100);

    private readonly Channel<bool> _written = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Called once a write of this site's own has committed.</summary>
    public void Written() => _written.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _written.Reader.ReadAllAsync(stoppingToken))
        {
            // A typed client is made for each hint rather than held for the service's life.
            await services.GetRequiredService<ExporterClient>().ChangesWrittenAsync();
            await Task.Delay(Gap, time, stoppingToken);
        }
    }
}
