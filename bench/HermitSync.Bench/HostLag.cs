using System.Runtime.Versioning;
using HermitSync.Testing.Hosts;

namespace HermitSync.Bench;

/// <summary>
/// Sync lag between two hosts: sites A and B, each started by <c>./hermit run</c> in a network
/// namespace of its own, joined by a veth pair through a bridge, and paired by address. A note is
/// created at A and timed until B's API returns it; beside it, bare Syncthing copying a 4 KiB file
/// over the same link. Measured on a clean link, then with netem's 100 ms delay, 20 ms jitter and
/// 2 % loss each way.
/// </summary>
[SupportedOSPlatform("linux")]
public static class HostLag
{
    private const int Notes = 60;
    private const int Probes = 30;

    private static readonly TimeSpan StartPatience = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(Report report, string repository)
    {
        if (Environment.UserName != "root")
        {
            report.Note("Sync lag between hosts: not measured, since making network namespaces needs root.");
            return;
        }
        Console.WriteLine($"Sync lag between two hosts: {Notes} notes and {Probes} bare Syncthing files, on a clean link and under netem");
        using var network = new HostNetwork();
        var passphrase = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var sites = new List<HostSite>();
        try
        {
            foreach (var name in new[] { "a", "b" })
            {
                var log = Path.Combine(repository, "artifacts", "hosts", $"bench-{name}.log");
                sites.Add(await HostSite.LaunchAsync(network.AddHost(name), repository, passphrase, log, StartPatience));
            }
            await Task.WhenAll(sites.Select(site => site.WaitUntilReadyAsync(StartPatience)));
            var (a, b) = (sites[0], sites[1]);
            await a.PairWithAsync(b);
            await b.PairWithAsync(a);
            using var httpA = a.Client();
            using var httpB = b.Client();
            await SyncLag.WaitConnectedAsync(httpA);
            await using var bare = await BareFolder.ShareAsync(Bare(a), Bare(b));

            var clean = await MeasureAsync(httpA, httpB, bare);
            MeasuredLags impaired;
            using (await HostNetwork.ImpairAsync(a.Host, NetemProfile.Bad, b.Host))
            using (await HostNetwork.ImpairAsync(b.Host, NetemProfile.Bad, a.Host))
            {
                impaired = await MeasureAsync(httpA, httpB, bare);
            }

            var p50 = Stats.Median(clean.Notes);
            var ratio = p50 / Stats.Median(clean.Bare);
            report.Add(new Figure($"sync lag between hosts, clean link, p50 ({Notes} notes)", "s", p50, new Anchor("bare Syncthing", Stats.Median(clean.Bare)), "≤ 1 s and ≤ 1.3×", p50 <= 1 && ratio <= 1.3));
            report.Add(new Figure($"sync lag between hosts, clean link, p95 ({Notes} notes)", "s", Stats.Percentile(clean.Notes, 95), new Anchor("bare Syncthing", Stats.Percentile(clean.Bare, 95)), "", null));
            report.Add(new Figure($"sync lag between hosts, netem, p50 ({Notes} notes)", "s", Stats.Median(impaired.Notes), new Anchor("bare Syncthing", Stats.Median(impaired.Bare)), "", null));
            var p95 = Stats.Percentile(impaired.Notes, 95);
            report.Add(new Figure($"sync lag between hosts, netem, p95 ({Notes} notes)", "s", p95, new Anchor("bare Syncthing", Stats.Percentile(impaired.Bare, 95)), "≤ 3 s", p95 <= 3));
            report.Note($"Sync lag between hosts: two sites started by `./hermit run` in network namespaces joined through a bridge, paired by address; the impaired link has {NetemProfile.Bad} on what each sends the other (netem's model, applied through NFQUEUE, since this kernel has no sch_netem). Worst note: {clean.Notes.Max():0.00} s clean, {impaired.Notes.Max():0.00} s under netem. The bare anchor is a 4 KiB file in a plain folder the two Syncthings share, rescanned at once.");
        }
        finally
        {
            foreach (var site in sites)
            {
                await site.DisposeAsync();
            }
        }
    }

    private sealed record MeasuredLags(IReadOnlyList<double> Notes, IReadOnlyList<double> Bare);

    private static async Task<MeasuredLags> MeasureAsync(HttpClient a, HttpClient b, BareFolder bare) =>
        new(await SyncLag.NoteLagsAsync(a, b, Notes), await SyncLag.BareLagsAsync(bare, "a", "b", Probes));

    private static BareSite Bare(HostSite site) => new(site.Host.Name, site.SyncthingClient, site.Settings.SyncFolder);
}
