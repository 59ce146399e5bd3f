using System.Runtime.InteropServices;

namespace HermitSync.AppHost;

/// <summary>Files and folders that hold secrets or notes are for their owner alone.</summary>
public static class OwnerOnly
{
    private const UnixFileMode Directories = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Files = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    /// <summary>umask 077, in the bits <c>umask(2)</c> takes.</summary>
    private const uint UmaskGroupAndOthers = 0b000_111_111;
    private const UnixFileMode GroupAndOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// From now on this process, and every process it starts (DCP, and through it rqlited,
    /// Syncthing and the services), creates files and folders for their owner alone, whatever
    /// code creates them: umask 077. Call it before anything is started.
    /// </summary>
    public static void ForEverythingCreated()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = Umask(UmaskGroupAndOthers);
        }
    }

    /// <summary>Creates the folder, owner-only when it is new; an existing one keeps its mode.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, Directories);
        }
    }

    /// <summary>Takes group and others' rights away from <paramref name="path"/> itself; a symbolic link is left as it is.</summary>
    public static void Tighten(string path)
    {
        if (!OperatingSystem.IsWindows() && Path.Exists(path) && new FileInfo(path).LinkTarget is null)
        {
            Restrict(path);
        }
    }

    /// <summary>
    /// Takes group and others' rights away from <paramref name="path"/> and everything in it, as a
    /// data directory made before this release, or by hand, may have them. Symbolic links are
    /// neither followed nor changed.
    /// </summary>
    public static void TightenAll(string path)
    {
        Tighten(path);
        if (OperatingSystem.IsWindows() || !Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            return;
        }
        var everything = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos("*", everything))
        {
            Restrict(entry.FullName);
        }
    }

    public static FileStreamOptions Write(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = Files;
        }
        return options;
    }

    /// <summary>Writes the whole file under a temporary name, then renames it, so no reader ever sees half of it.</summary>
    public static async Task ReplaceFileAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var temporary = path + ".hermit.tmp";
        await using (var file = new FileStream(temporary, Write(FileMode.Create)))
        {
            await write(file, cancellationToken);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>A file another account owns (a container's, say) or one gone meanwhile is left alone: a start must not fail on it.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Restrict(string path)
    {
        try
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupAndOthers) != 0)
            {
                File.SetUnixFileMode(path, mode & ~GroupAndOthers);
            }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "umask")]
    private static extern uint Umask(uint mask);
}
