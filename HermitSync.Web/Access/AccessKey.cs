using System.Security.Cryptography;
using System.Text;
using HermitSync.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace HermitSync.Web.Access;

/// <summary>
/// The site's access key, as the AppHost keeps it in its file. Scripts send the key itself; a
/// browser, once it has opened the link, sends a cookie made from it. The file is looked at on
/// every request, so a rotation takes effect at once: the old key and every cookie made from it
/// stop working. Without a readable key nobody gets in.
/// </summary>
public sealed class AccessKey(IOptions<AccessKeyOptions> options, ILogger<AccessKey> logger)
{
    /// <summary>The cookie is the key's HMAC rather than the key, so a cookie read off a disk does not give a script the key.</summary>
    private static readonly byte[] CookieLabel = "hermit-sync access cookie"u8.ToArray();

    private readonly AccessKeyOptions _options = options.Value;
    private Snapshot _current = Snapshot.Missing;

    /// <summary>Whether the request carries the key as a bearer token, or the cookie the link set.</summary>
    public bool Admits(HttpRequest request)
    {
        var current = Current();
        return BearerToken.From(request) is { } bearer
            ? BearerToken.Matches(bearer, current.Key)
            : request.Cookies[CookieName(request)] is { } cookie && BearerToken.Matches(cookie, current.Cookie);
    }

    /// <summary>Whether <paramref name="candidate"/> is the key itself, as the login link carries it.</summary>
    public bool IsKey(string candidate) => BearerToken.Matches(candidate, Current().Key);

    /// <summary>Lets this browser in from now on: an HttpOnly cookie that no other site's page can make it send.</summary>
    public void LetIn(HttpContext context) =>
        context.Response.Cookies.Append(CookieName(context.Request), Encoding.ASCII.GetString(Current().Cookie), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = _options.CookieLifetime,
            IsEssential = true,
        });

    /// <summary>Cookies are shared by every port of a host: each site on this machine (5180, 5181, …) needs its own name.</summary>
    private static string CookieName(HttpRequest request) => $"hermit-access-{request.Host.Port ?? (request.IsHttps ? 443 : 80)}";

    private Snapshot Current()
    {
        var file = new FileInfo(_options.TokenFile);
        var current = Volatile.Read(ref _current);
        var version = file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
        if (version == current.Version)
        {
            return current;
        }
        var fresh = Read(file, version);
        Volatile.Write(ref _current, fresh);
        return fresh;
    }

    private Snapshot Read(FileInfo file, (DateTime, long) version)
    {
        try
        {
            var key = Encoding.UTF8.GetBytes(File.ReadAllText(file.FullName).Trim());
            if (key.Length == 0)
            {
                logger.LogWarning("The access key file {File} is empty: nobody is let in.", file.FullName);
                return Snapshot.Missing with { Version = version };
            }
            var cookie = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HMACSHA256.HashData(key, CookieLabel)));
            return new Snapshot(version, key, cookie);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("The access key file {File} cannot be read ({Reason}): nobody is let in.", file.FullName, e.Message);
            return Snapshot.Missing;
        }
    }

    private sealed record Snapshot((DateTime WrittenAt, long Length) Version, byte[] Key, byte[] Cookie)
    {
        public static Snapshot Missing { get; } = new(default, [], []);
    }
}
