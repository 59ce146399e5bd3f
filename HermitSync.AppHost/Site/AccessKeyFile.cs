using System.Security.Cryptography;
using System.Text;

namespace HermitSync.AppHost.Site;

/// <summary>
/// The site's access key, in <see cref="SiteSettings.AccessTokenFile"/>, owner-only: made on the
/// first start, kept across runs, replaced by a rotation. The web app reads the same file, so a
/// rotation takes effect without a restart.
/// </summary>
public static class AccessKeyFile
{
    /// <summary>256 bits, in hexadecimal, so it passes through any URL, shell or header unchanged.</summary>
    private const int KeyCharacters = 64;

    /// <summary>A key shorter than this was not made here, and is no key: it is replaced.</summary>
    private const int ShortestKey = 32;

    /// <summary>The key in the file, or a new one when there is none yet or <paramref name="rotate"/> says so.</summary>
    public static async Task<string> EnsureAsync(string path, bool rotate, CancellationToken cancellationToken)
    {
        if (!rotate && File.Exists(path) && (await File.ReadAllTextAsync(path, cancellationToken)).Trim() is { Length: >= ShortestKey } key)
        {
            return key;
        }
        return await RotateAsync(path, cancellationToken);
    }

    /// <summary>Replaces the key: the old one, and every browser cookie made from it, stop working.</summary>
    public static async Task<string> RotateAsync(string path, CancellationToken cancellationToken)
    {
        var key = RandomNumberGenerator.GetHexString(KeyCharacters, lowercase: true);
        await OwnerOnly.ReplaceFileAsync(path, (file, ct) => file.WriteAsync(Encoding.ASCII.GetBytes(key + "\n"), ct).AsTask(), cancellationToken);
        return key;
    }
}
