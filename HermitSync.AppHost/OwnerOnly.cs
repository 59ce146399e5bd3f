namespace HermitSync.AppHost;

/// <summary>Files and folders that hold secrets or notes are for their owner alone.</summary>
internal static class OwnerOnly
{
    private const UnixFileMode Directories = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Files = UnixFileMode.UserRead | UnixFileMode.UserWrite;

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
}
