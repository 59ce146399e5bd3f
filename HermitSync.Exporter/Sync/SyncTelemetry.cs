using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HermitSync.Exporter.Sync;

/// <summary>One span per export and import, and the sync metrics the dashboard shows.</summary>
public static class SyncTelemetry
{
    public const string Name = "HermitSync.Sync";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> FilesExported = Meter.CreateCounter<long>("hermit.sync.files.exported", description: "Change files and snapshots written");
    public static readonly Counter<long> FilesImported = Meter.CreateCounter<long>("hermit.sync.files.imported", description: "Peer files applied");
    public static readonly Counter<long> RowsExported = Meter.CreateCounter<long>("hermit.sync.rows.exported", description: "Revisions written to change files");
    public static readonly Counter<long> RowsApplied = Meter.CreateCounter<long>("hermit.sync.rows.applied", description: "Peer revisions that were new here");
    public static readonly Counter<long> BytesExported = Meter.CreateCounter<long>("hermit.sync.bytes.exported", unit: "By");
    public static readonly Counter<long> BytesImported = Meter.CreateCounter<long>("hermit.sync.bytes.imported", unit: "By");
    public static readonly Counter<long> AttachmentsExported = Meter.CreateCounter<long>("hermit.sync.attachments.exported", description: "Attachments sealed into this site's folder");
    public static readonly Counter<long> AttachmentsImported = Meter.CreateCounter<long>("hermit.sync.attachments.imported", description: "Peers' attachments verified and stored here");
    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("hermit.sync.conflicts", description: "Notes left with concurrent versions after an import");
    public static readonly Counter<long> Rejections = Meter.CreateCounter<long>("hermit.sync.rejections", description: "Files refused, tagged by reason");
    public static readonly Counter<long> QuarantineEvictions = Meter.CreateCounter<long>("hermit.sync.quarantine.evictions", description: "Quarantined copies removed to keep the quarantine within its quota");
    public static readonly Counter<long> KeysDeferred = Meter.CreateCounter<long>("hermit.sync.keys.deferred", description: "Files put off because their new site's key may not be derived yet");
    public static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("hermit.sync.lag", unit: "s", description: "From a revision's clock stamp at the peer to its apply here");
}
