namespace HermitSync.Exporter.Snapshots;

public sealed class ExporterOptions
{
    /// <summary>The shared folder on this machine, where files are written.</summary>
    public string SyncFolder { get; set; } = "";

    /// <summary>The same folder as Syncthing sees it; differs from <see cref="SyncFolder"/> only in container mode.</summary>
    public string? SyncthingFolderPath { get; set; }

    /// <summary>How often to look for changes; an export follows only when data changed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    public int KeepSnapshots { get; set; } = 10;
}
