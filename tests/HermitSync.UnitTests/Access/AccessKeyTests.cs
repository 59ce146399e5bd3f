using HermitSync.Web.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HermitSync.UnitTests.Access;

/// <summary>The web app's reading of the site's access key: the key or the cookie made from it, and only the current ones.</summary>
public sealed class AccessKeyTests : IDisposable
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private readonly string _file = Path.Combine(Directory.CreateTempSubdirectory("hermit-access-").FullName, "access-token");

    [Fact]
    public void The_key_lets_a_script_in_and_nothing_else_does()
    {
        File.WriteAllText(_file, Key + "\n");
        var access = AccessKey();

        Assert.True(access.Admits(Request(bearer: Key)));
        Assert.True(access.IsKey(Key));
        Assert.False(access.Admits(Request()));
        Assert.False(access.Admits(Request(bearer: Key[..^1])));
        Assert.False(access.Admits(Request(bearer: Key + "0")));
        Assert.False(access.Admits(Request(bearer: Key.ToUpperInvariant())));
        Assert.False(access.IsKey(""));
    }

    [Fact]
    public void The_link_sets_a_cookie_that_is_not_the_key_and_lets_the_browser_in()
    {
        File.WriteAllText(_file, Key);
        var access = AccessKey();

        var cookie = LetIn(access);

        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"max-age={(int)TimeSpan.FromDays(400).TotalSeconds}", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Key, cookie);
        Assert.True(access.Admits(Request(cookie: cookie)));
        Assert.False(access.IsKey(CookieValue(cookie)));
    }

    [Fact]
    public void After_a_rotation_the_old_key_and_cookie_no_longer_work()
    {
        File.WriteAllText(_file, Key);
        var access = AccessKey();
        var oldCookie = LetIn(access);

        File.WriteAllText(_file, new string('7', 64));
        File.SetLastWriteTimeUtc(_file, DateTime.UtcNow.AddSeconds(1));

        Assert.False(access.Admits(Request(bearer: Key)));
        Assert.False(access.Admits(Request(cookie: oldCookie)));
        Assert.True(access.Admits(Request(bearer: new string('7', 64))));
        Assert.True(access.Admits(Request(cookie: LetIn(access))));
    }

    [Fact]
    public void Without_a_key_file_or_with_an_empty_one_nobody_gets_in()
    {
        var access = AccessKey();
        Assert.False(access.Admits(Request(bearer: "")));
        Assert.False(access.IsKey(""));

        File.WriteAllText(_file, "\n");
        Assert.False(access.Admits(Request(bearer: "")));
        Assert.False(access.IsKey(""));
    }

    [Fact]
    public void Each_port_has_its_own_cookie_so_two_sites_on_one_machine_keep_theirs()
    {
        File.WriteAllText(_file, Key);
        var access = AccessKey();

        var cookie = LetIn(access);

        Assert.StartsWith("hermit-access-5180=", cookie, StringComparison.Ordinal);
        Assert.False(access.Admits(Request(cookie: cookie, port: 5181)));
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_file)!, recursive: true);

    private AccessKey AccessKey() => new(Options.Create(new AccessKeyOptions { TokenFile = _file }), NullLogger<AccessKey>.Instance);

    private static string LetIn(AccessKey access)
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("localhost", 5180);
        access.LetIn(context);
        return context.Response.Headers.SetCookie.Single()!;
    }

    private static string CookieValue(string setCookie) => setCookie.Split(';')[0].Split('=', 2)[1];

    private static HttpRequest Request(string? bearer = null, string? cookie = null, int port = 5180)
    {
        var request = new DefaultHttpContext().Request;
        request.Host = new HostString("localhost", port);
        if (bearer is not null)
        {
            request.Headers.Authorization = $"Bearer {bearer}";
        }
        if (cookie is not null)
        {
            request.Headers.Cookie = cookie.Split(';')[0];
        }
        return request;
    }
}
