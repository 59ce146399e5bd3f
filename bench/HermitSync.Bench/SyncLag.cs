using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using HermitSync.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HermitSync.Bench;

/// <summary>
/// Sync lag through real Syncthing: two sites from the real AppHost, paired over loopback. A
/// note is written at A through the API and timed until B's API returns it. The same run
/// times the bare Syncthing floor: a small file written into A's folder, rescanned, until it
/// is in B's folder.
/// </summary>
public static class SyncLag
{
    public static async Task RunAsync(int edits)
    {
        var data = Directory.CreateTempSubdirectory("hermit-lag-").FullName;
        var apiKey = Guid.NewGuid().ToString("N");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.HermitSync_AppHost>(
        [
            "--HermitSync:Runtime=executable", "--HermitSync:Sites=2", $"--HermitSync:DataDirectory={data}",
            $"--HermitSync:Ports:Rqlite={FreePorts.Consecutive(20)}", $"--HermitSync:Ports:SyncthingGui={FreePorts.Consecutive(2)}",
            $"--HermitSync:Ports:SyncthingListen={FreePorts.Consecutive(2)}", $"--HermitSync:WebPort={FreePorts.Consecutive(2)}",
            $"--Parameters:rqlite-password={Guid.NewGuid():N}", $"--Parameters:syncthing-api-key={apiKey}", $"--Parameters:sync-passphrase={Guid.NewGuid():N}",
        ], (options, _) => options.DisableDashboard = true);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        await using var app = await builder.BuildAsync();
        await app.StartAsync();
        try
        {
            foreach (var resource in new[] { "a-web", "b-web", "a-exporter", "b-exporter" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource);
            }
            using var a = new HttpClient { BaseAddress = app.GetEndpoint("a-web", "http") };
            using var b = new HttpClient { BaseAddress = app.GetEndpoint("b-web", "http") };
            await WaitConnectedAsync(a);

            var lags = new List<double>();
            for (var i = 0; i < edits; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var created = await a.PostAsJsonAsync("/api/notes", new { title = $"lag {i}", body = "a short note" });
                var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
                while ((await b.GetAsync($"/api/notes/{id}")).StatusCode != System.Net.HttpStatusCode.OK)
                {
                    await Task.Delay(10);
                }
                lags.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
                await Task.Delay(Random.Shared.Next(50, 250));
            }

            using var syncthingA = new HttpClient { BaseAddress = app.GetEndpoint("a-syncthing", "http") };
            syncthingA.DefaultRequestHeaders.Add("X-API-Key", apiKey);
            var floor = new List<double>();
            var folderA = Path.Combine(data, "sites", "a", "sync", "floor");
            var folderB = Path.Combine(data, "sites", "b", "sync", "floor");
            Directory.CreateDirectory(folderA);
            for (var i = 0; i < 30; i++)
            {
                var name = $"probe-{i}.bin";
                var started = Stopwatch.GetTimestamp();
                await File.WriteAllBytesAsync(Path.Combine(folderA, name), new byte[4096]);
                (await syncthingA.PostAsync("/rest/db/scan?folder=hermit-sync&sub=floor", null)).EnsureSuccessStatusCode();
                while (!File.Exists(Path.Combine(folderB, name)))
                {
                    await Task.Delay(10);
                }
                floor.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            Console.WriteLine($"Sync lag, a note written at A through the API until B's API returns it ({lags.Count} edits):");
            Console.WriteLine($"  p50 {Percentile(lags, 0.50),6:0.000} s   p95 {Percentile(lags, 0.95),6:0.000} s   max {lags.Max(),6:0.000} s   (targets: p50 <= 1 s, p95 <= 2 s)");
            Console.WriteLine($"Bare Syncthing floor, a 4 KiB file written at A and rescanned until it is in B's folder ({floor.Count} files):");
            Console.WriteLine($"  p50 {Percentile(floor, 0.50),6:0.000} s   p95 {Percentile(floor, 0.95),6:0.000} s");
            Console.WriteLine($"  Hermit Sync over the floor at p50: {Percentile(lags, 0.50) / Percentile(floor, 0.50):0.00}x");
        }
        finally
        {
            await app.StopAsync();
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task WaitConnectedAsync(HttpClient site)
    {
        for (var i = 0; i < 300; i++)
        {
            var pairing = await site.GetFromJsonAsync<JsonElement>("/api/sync/pairing");
            if (pairing.GetProperty("peers").EnumerateArray().Any(p => p.GetProperty("connected").GetBoolean()))
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The two sites did not connect within 30 s.");
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
