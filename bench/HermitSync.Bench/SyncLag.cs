using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HermitSync.AppHost.Site;

namespace HermitSync.Bench;

/// <summary>
/// Sync lag through real Syncthing between the two sites, paired over loopback: a note is
/// created at A through the API and timed until B's API returns it. Beside it, the bare
/// Syncthing floor over the same pair: a small file written into a plain folder the two share
/// for the purpose and rescanned, timed until it is at B.
/// </summary>
public static class SyncLag
{
    private const int Edits = 120;
    private const int Probes = 40;
    private const int WarmUp = 5;

    /// <summary>Finer than the lag it times, coarse enough not to load the reader.</summary>
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(10);

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Sync lag, A to B: {Edits} notes, then {Probes} bare Syncthing files");
        using var a = stack.Http("a", SiteResource.Api);
        using var b = stack.Http("b", SiteResource.Api);
        await WaitConnectedAsync(a);

        var lags = await NoteLagsAsync(a, b, Edits);
        await using var bare = await BareFolder.ShareAsync(stack.Bare("a"), stack.Bare("b"));
        var floor = await BareLagsAsync(bare, "a", "b", Probes);

        var p50 = Stats.Median(lags);
        var p95 = Stats.Percentile(lags, 95);
        report.Add(new Figure($"sync lag A write → B read, p50 ({Edits} notes)", "s", p50, new Anchor("bare Syncthing", Stats.Median(floor)), "≤ 1 s", p50 <= 1));
        report.Add(new Figure($"sync lag A write → B read, p95 ({Edits} notes)", "s", p95, new Anchor("bare Syncthing", Stats.Percentile(floor, 95)), "≤ 2 s", p95 <= 2));
        report.Note($"Sync lag: worst of {Edits} notes {lags.Max():0.00} s. The bare Syncthing anchor is a 4 KiB file written into a plain folder A and B share and rescanned at once, until it is at B ({Probes} files).");
    }

    /// <summary>Creates <paramref name="count"/> notes at A, one at a time, each timed until B's API returns it.</summary>
    public static async Task<IReadOnlyList<double>> NoteLagsAsync(HttpClient a, HttpClient b, int count)
    {
        var lags = new List<double>();
        for (var i = -WarmUp; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var created = await a.PostAsJsonAsync("/api/notes", new { title = $"Lag {i}", body = SampleNote.Body });
            var id = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Poll.UntilAsync(async () => await ExistsAsync(b, id), Every, "the note at B");
            if (i >= 0)
            {
                lags.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
            // Edits a person makes arrive apart, not in one burst the exporter would batch.
            await Task.Delay(Random.Shared.Next(50, 250));
        }
        return lags;
    }

    /// <summary>Writes <paramref name="count"/> 4 KiB files into the bare folder at one site, each rescanned at once and timed until it is at the other.</summary>
    public static async Task<IReadOnlyList<double>> BareLagsAsync(BareFolder bare, string from, string to, int count)
    {
        var lags = new List<double>();
        for (var i = -WarmUp; i < count; i++)
        {
            var name = $"probe-{Guid.NewGuid():N}.bin";
            var started = Stopwatch.GetTimestamp();
            // Content of its own, as a note's is: Syncthing would copy a block it already holds rather than fetch it.
            await File.WriteAllBytesAsync(Path.Combine(bare.PathAt(from), name), System.Security.Cryptography.RandomNumberGenerator.GetBytes(4096));
            await bare.ScanAsync(from);
            await Poll.UntilAsync(() => Task.FromResult(File.Exists(Path.Combine(bare.PathAt(to), name))), Every, $"the file at {to}");
            if (i >= 0)
            {
                lags.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }
        return lags;
    }

    private static async Task<bool> ExistsAsync(HttpClient site, Guid id)
    {
        using var response = await site.GetAsync($"/api/notes/{id}");
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>Waits until the site's API says a peer is connected, or with <paramref name="connected"/> false, none.</summary>
    public static async Task WaitConnectedAsync(HttpClient site, bool connected = true) =>
        await Poll.UntilAsync(
            async () => (await site.GetFromJsonAsync<JsonElement>("/api/sync/pairing")).GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("connected").GetBoolean()) == connected,
            TimeSpan.FromMilliseconds(100),
            connected ? "the sites to connect" : "the sites to part");
}
