namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Syncthing compares the GUI password with a bcrypt hash in its config and ignores a plain one,
/// and has no environment variable for it, so the AppHost writes the hash itself.
/// </summary>
internal static class SyncthingGuiPassword
{
    /// <summary>Syncthing's own cost.</summary>
    private const int WorkFactor = 10;

    /// <summary>The hash to store: the present one while it still matches, so the file only changes with the password.</summary>
    public static string Hash(string password, string? present) =>
        present is not null && Matches(password, present) ? present : BCrypt.Net.BCrypt.HashPassword(password, WorkFactor);

    private static bool Matches(string password, string hash)
    {
        try
        {
            return BCrypt.Net.BCrypt.Verify(password, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
