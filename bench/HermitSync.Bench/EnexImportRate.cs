using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security;
using System.Text;
using HermitSync.AppHost.Site;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// How fast an Evernote export comes in: a 10,000-note <c>.enex</c> (each note a title, two
/// times and about 1 KB of ENML) is posted to site B's import through the web app, as the
/// Import page sends it, and timed until the import says it is done. Beside it, the same notes
/// as plain INSERTs into B's leader, 1,000 per transaction. A's Syncthing is stopped during the
/// import: on real machines the peer's share of the work runs on the peer. The API's peak
/// memory during the import is read from the kernel's high-water mark, reset just before.
/// </summary>
public static class EnexImportRate
{
    private const string Site = "b", Peer = "a";
    private const int Notes = 10_000;

    public static async Task RunAsync(BenchStack stack, Report report)
    {
        Console.WriteLine($"Import of a {Notes:N0}-note Evernote export at site B");
        var revisions = SampleNote.Revisions(SiteIds.New(), 0, Notes, SampleNote.Body);
        var enex = Enex(revisions);

        // The peer would be another machine: its Syncthing is stopped, so its own import of these notes does not share the 2 cores.
        await stack.StopAsync(Peer, SiteResource.Syncthing);
        var api = Processes.Tree(stack.ProcessIds(Site)[stack.Name(Site, SiteResource.Api)])[^1];
        var rssBefore = Processes.PeakRssMiB(api);
        Processes.ResetPeakRss(api);
        using var web = stack.Http(Site, SiteResource.Web);
        var cpuBefore = stack.CpuSeconds(Site);
        var started = Stopwatch.GetTimestamp();
        var content = new ByteArrayContent(enex) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        using var posted = await web.PostAsync("/api/imports?name=bench.enex", content);
        posted.EnsureSuccessStatusCode();
        var uploaded = Stopwatch.GetElapsedTime(started);
        var location = posted.Headers.Location!;
        ImportStatus? status = null;
        await Poll.UntilAsync(
            async () => (status = await web.GetFromJsonAsync<ImportStatus>(location)) is { State: ImportStatus.Done or ImportStatus.Failed },
            // Each look goes through the web app and the API, which share the 2 cores with the import.
            TimeSpan.FromMilliseconds(200),
            "the import to end");
        var imported = Stopwatch.GetElapsedTime(started);
        var peak = Processes.PeakRssMiB(api);
        var cpu = stack.CpuSeconds(Site).Select(r => (r.Key, Seconds: r.Value - cpuBefore.GetValueOrDefault(r.Key))).OrderByDescending(r => r.Seconds).ToArray();
        if (status is not { State: ImportStatus.Done, Imported: Notes })
        {
            throw new InvalidOperationException($"The import ended {status?.State} with {status?.Imported} notes: {status?.Error}");
        }

        await stack.StartAsync(Peer, SiteResource.Syncthing);
        var raw = await RawInsert.RunAsync(stack, Site, revisions, "raw_enex_notes");
        report.Add(new Figure($"import of a {Notes:N0}-note Evernote export", "notes/s", Notes / imported.TotalSeconds,
            new Anchor("the same notes as rqlite INSERTs, 1,000 per transaction", Notes / raw.TotalSeconds), "≥ 1,000 notes/s", Notes / imported.TotalSeconds >= 1_000));
        report.Add(new Figure("API peak memory during that import (RSS)", "MiB", peak, new Anchor("API peak before it", rssBefore), "report", null));
        report.Note($"Evernote import: the {enex.Length / 1e6:0.0} MB export took {imported.TotalSeconds:0.00} s from the first byte sent to done, " +
            $"{uploaded.TotalSeconds:0.00} s of it until the API had the file " +
            $"(upload, parse, ENML to Markdown, transactions of 1,000 notes); the plain INSERTs took {raw.TotalSeconds:0.00} s. The API's resident peak was {peak:0} MiB. " +
            $"CPU seconds the site's processes used meanwhile: {string.Join(", ", cpu.Select(r => $"{r.Key} {r.Seconds:0.0}"))}.");
    }

    /// <summary>An export as Evernote writes one: a DOCTYPE, and each note's ENML in CDATA with its own.</summary>
    private static byte[] Enex(IReadOnlyList<NoteRevision> revisions)
    {
        var enex = new StringBuilder("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export4.dtd">
            <en-export export-date="20231105T101010Z" application="Evernote" version="10.64.4">

            """);
        foreach (var note in revisions)
        {
            var time = DateTimeOffset.FromUnixTimeMilliseconds(note.CreatedAt).ToString("yyyyMMdd'T'HHmmss'Z'");
            enex.Append($"<note><title>{SecurityElement.Escape(note.Title)}</title><created>{time}</created><updated>{time}</updated><tag>bench</tag>")
                .Append("<content><![CDATA[<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?><!DOCTYPE en-note SYSTEM \"http://xml.evernote.com/pub/enml2.dtd\"><en-note>")
                .Append($"<div>{SecurityElement.Escape(note.Body)}</div><div><b>bold</b> and <a href=\"https://example.org\">a link</a></div>")
                .Append("</en-note>]]></content></note>\n");
        }
        return Encoding.UTF8.GetBytes(enex.Append("</en-export>\n").ToString());
    }
}
