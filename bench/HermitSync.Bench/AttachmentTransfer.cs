using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using HermitSync.AppHost.Site;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// Attachments between the two sites through real Syncthing. A 20 MiB file attached at A (its
/// upload included) until B's API serves it, beside Syncthing alone carrying the same bytes in a
/// plain folder the two share. Then the exporters' memory while A's seals a 200 MiB file and B's
/// opens it: the peak resident set above what each held before.
/// </summary>
public static class AttachmentTransfer
{
    public const long LargeBytes = 200L * 1024 * 1024;
    private const int TransferBytes = 20 * 1024 * 1024;
    private const int Rounds = 5;
    private const int WarmUp = 1;
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    /// <summary>The setting the stack needs for <see cref="LargeBytes"/>: above the default 50 MiB.</summary>
    public static string Setting => $"--HermitSync:Attachments:MaxBytes={LargeBytes + (1024 * 1024)}";

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Attachments, A to B: {Rounds} × {TransferBytes / (1024 * 1024)} MiB, then Syncthing alone, then one of {LargeBytes / (1024 * 1024)} MiB");
        using var a = stack.Http("a", SiteResource.Api);
        using var b = stack.Http("b", SiteResource.Api);
        await SyncLag.WaitConnectedAsync(a);

        var through = new List<double>();
        for (var i = -WarmUp; i < Rounds; i++)
        {
            var content = RandomNumberGenerator.GetBytes(TransferBytes);
            var started = Stopwatch.GetTimestamp();
            var hash = await AttachAsync(a, $"transfer-{i + WarmUp}.bin", new ByteArrayContent(content));
            await Poll.UntilAsync(async () => await IsHereAsync(b, hash), Every, "the attachment at B", Patience);
            if (i >= 0)
            {
                through.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }

        await using var bare = await BareFolder.ShareAsync(stack.Bare("a"), stack.Bare("b"));
        var alone = new List<double>();
        for (var i = 0; i < Rounds; i++)
        {
            var name = $"transfer-{i}.bin";
            var started = Stopwatch.GetTimestamp();
            await File.WriteAllBytesAsync(Path.Combine(bare.PathAt("a"), name), RandomNumberGenerator.GetBytes(TransferBytes));
            await bare.ScanAsync("a");
            await Poll.UntilAsync(() => Task.FromResult(new FileInfo(Path.Combine(bare.PathAt("b"), name)) is { Exists: true, Length: TransferBytes }), Every, "the file at B", Patience);
            alone.Add(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var median = Stats.Median(through);
        report.Add(new Figure($"{TransferBytes / (1024 * 1024)} MiB attachment, attached at A → served at B (median of {Rounds})", "s", median,
            new Anchor("Syncthing alone, same bytes", Stats.Median(alone)), "≤ 1.5×", median <= 1.5 * Stats.Median(alone)));

        var (sealing, opening) = await LargeAsync(stack, a, b);
        report.Add(new Figure($"exporter memory sealing a {LargeBytes / (1024 * 1024)} MiB attachment (peak RSS above before)", "MiB", sealing, null, "< 64 MiB", sealing < 64));
        report.Add(new Figure($"exporter memory opening a {LargeBytes / (1024 * 1024)} MiB attachment (peak RSS above before)", "MiB", opening, null, "< 64 MiB", opening < 64));
        report.Note($"Attachments: each of the {Rounds} rounds of {TransferBytes / (1024 * 1024)} MiB (after {WarmUp} not counted) is random bytes, timed from the upload's start at A until B's API serves it "
            + $"({string.Join(", ", through.Select(t => $"{t:0.00}"))} s); Syncthing alone writes the same size into a plain folder A and B share and rescans at once, "
            + $"until the whole file is at B ({string.Join(", ", alone.Select(t => $"{t:0.00}"))} s). The memory is each exporter's VmHWM, reset just before, less its resident set then.");
    }

    /// <summary>The peak resident memory A's exporter added while sealing a large attachment, and B's while opening it.</summary>
    private static async Task<(double Sealing, double Opening)> LargeAsync(BenchStack stack, HttpClient a, HttpClient b)
    {
        var exporterA = ExporterPid(stack, "a");
        var exporterB = ExporterPid(stack, "b");
        var (beforeA, beforeB) = (Resident(exporterA), Resident(exporterB));
        Processes.ResetPeakRss(exporterA);
        Processes.ResetPeakRss(exporterB);
        var hash = await AttachAsync(a, "large.bin", new StreamContent(new RandomStream(LargeBytes)));
        await Poll.UntilAsync(async () => await IsHereAsync(b, hash), TimeSpan.FromMilliseconds(200), "the large attachment at B", Patience);
        return (Processes.PeakRssMiB(exporterA) - beforeA, Processes.PeakRssMiB(exporterB) - beforeB);
    }

    private static int ExporterPid(BenchStack stack, string site) =>
        stack.ProcessIds(site).Single(p => p.Key.EndsWith(SiteResource.Exporter, StringComparison.Ordinal)).Value;

    private static double Resident(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kib
            ? long.Parse(kib) / 1024.0
            : 0;

    private static async Task<string> AttachAsync(HttpClient site, string name, HttpContent content)
    {
        using (content)
        {
            content.Headers.ContentType = new("application/octet-stream");
            using var added = await site.PostAsync($"/api/attachments?name={name}", content);
            return (await added.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<Attachment>())!.Hash;
        }
    }

    private static async Task<bool> IsHereAsync(HttpClient site, string hash)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/api/attachments/{hash}");
        using var response = await site.SendAsync(request);
        return response.StatusCode == HttpStatusCode.OK;
    }

    /// <summary>So many random bytes, made as they are read.</summary>
    private sealed class RandomStream(long length) : Stream
    {
        private long _left = length;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, _left);
            Random.Shared.NextBytes(buffer.AsSpan(offset, n));
            _left -= n;
            return n;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
