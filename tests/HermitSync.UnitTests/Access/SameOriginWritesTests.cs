using HermitSync.ServiceDefaults;
using Microsoft.AspNetCore.Http;

namespace HermitSync.UnitTests.Access;

/// <summary>Which requests may change state: this origin's pages and scripts, never another site's page.</summary>
public sealed class SameOriginWritesTests
{
    [Theory]
    [InlineData("POST", null, null)]
    [InlineData("POST", "same-origin", null)]
    [InlineData("POST", "same-origin", "http://localhost:5180")]
    [InlineData("POST", "none", null)]
    [InlineData("DELETE", null, "http://localhost:5180")]
    [InlineData("PUT", null, "HTTP://LOCALHOST:5180")]
    [InlineData("GET", "cross-site", "http://evil.example")]
    [InlineData("HEAD", "cross-site", null)]
    public void These_may_change_state(string method, string? fetchSite, string? origin) =>
        Assert.True(SameOriginWrites.Allows(Request(method, fetchSite, origin)));

    [Theory]
    [InlineData("POST", "cross-site", null)]
    [InlineData("POST", "cross-site", "http://localhost:5180")]
    [InlineData("POST", "same-site", null)]
    [InlineData("DELETE", "same-site", "http://localhost:5181")]
    [InlineData("PUT", "cross-site", null)]
    [InlineData("PATCH", "cross-site", null)]
    [InlineData("POST", null, "http://evil.example")]
    [InlineData("POST", null, "http://localhost:5181")]
    [InlineData("POST", null, "https://localhost:5180")]
    [InlineData("POST", null, "null")]
    [InlineData("DELETE", null, "http://localhost.evil.example:5180")]
    public void These_may_not(string method, string? fetchSite, string? origin) =>
        Assert.False(SameOriginWrites.Allows(Request(method, fetchSite, origin)));

    [Fact]
    public void Two_origins_in_one_request_are_refused()
    {
        var request = Request("POST", null, null);
        request.Headers.Origin = new(["http://localhost:5180", "http://evil.example"]);

        Assert.False(SameOriginWrites.Allows(request));
    }

    private static HttpRequest Request(string method, string? fetchSite, string? origin)
    {
        var request = new DefaultHttpContext().Request;
        request.Method = method;
        request.Scheme = "http";
        request.Host = new HostString("localhost", 5180);
        if (fetchSite is not null)
        {
            request.Headers["Sec-Fetch-Site"] = fetchSite;
        }
        if (origin is not null)
        {
            request.Headers.Origin = origin;
        }
        return request;
    }
}
