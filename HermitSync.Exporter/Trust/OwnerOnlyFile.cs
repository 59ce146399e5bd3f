namespace HermitSync.Exporter.Trust;

/// <summary>How the site's identity is written: owner-only, flushed whole under a temporary name, then named.</summary>
internal static class OwnerOnlyFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, bool replace)
    {
        var folder = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var temporary = path + ".new";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var file = new FileStream(temporary, options))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, replace);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
