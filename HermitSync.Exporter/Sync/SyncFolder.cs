using HermitSync.Exporter.ChangeFiles;

namespace HermitSync.Exporter.Sync;

/// <summary>The shared folder: where change files are written once and found again.</summary>
public sealed class SyncFolder(string root)
{
    public string Root { get; } = root;

    public string PathOf(ChangeFileName name) => Path.Combine(Root, name.RelativePath);

    /// <summary>
    /// Writes under Syncthing's own temporary-file pattern, which it never syncs, flushes to
    /// disk, then renames. A peer sees the whole file or nothing, and a name is never reused.
    /// </summary>
    public async Task<string> WriteOnceAsync(ChangeFileName name, byte[] content, CancellationToken cancellationToken)
    {
        var final = PathOf(name);
        var directory = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".syncthing.{name.FileName}.tmp");
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, cancellationToken);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, final, overwrite: false);
        }
        finally
        {
            File.Delete(temporary);
        }
        return final;
    }

    /// <summary>Every file under <c>sites/</c>: change files by name, anything else as a stranger.</summary>
    public IEnumerable<(string RelativePath, ChangeFileName? Name)> Files()
    {
        var sites = Path.Combine(Root, ChangeFileName.SitesFolder);
        if (!Directory.Exists(sites))
        {
            yield break;
        }
        foreach (var path in Directory.EnumerateFiles(sites, "*", SearchOption.AllDirectories))
        {
            var fileName = Path.GetFileName(path);
            // Files in flight: ours and Syncthing's, both under its temporary pattern.
            if (fileName.StartsWith(".syncthing.", StringComparison.Ordinal) || fileName.StartsWith("~syncthing~", StringComparison.Ordinal))
            {
                continue;
            }
            var relative = Path.GetRelativePath(Root, path);
            yield return (relative, ChangeFileName.TryParse(relative, out var name) ? name : null);
        }
    }

    public IEnumerable<ChangeFileName> FilesOf(string siteId) =>
        Files().Select(f => f.Name).OfType<ChangeFileName>().Where(n => n.SiteId == siteId);
}
