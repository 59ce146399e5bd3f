using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HermitSync.ServiceDefaults;

/// <summary>
/// The names a service answers to, on any port. A page on another site whose name is rebound
/// to 127.0.0.1 (DNS rebinding) still sends its own name as <c>Host</c>, so it gets a 400
/// instead of the notes.
/// </summary>
public sealed class HostAllowListOptions
{
    public const string Section = "HermitSync";

    /// <summary>What browsers, service discovery and Aspire's health checks send to a service on loopback.</summary>
    public static IReadOnlyList<string> LoopbackHosts { get; } = ["localhost", "127.0.0.1", "[::1]"];

    /// <summary>
    /// One more name to answer to, e.g. the one a reverse proxy in front of the web app sends;
    /// empty for loopback only. A single name or address: no port, no wildcard.
    /// </summary>
    public string AllowedHost { get; set; } = "";

    public IReadOnlyList<string> Hosts => AllowedHost.Length == 0 ? LoopbackHosts : [.. LoopbackHosts, AsInHostHeader(AllowedHost)];

    internal bool IsValid() =>
        AllowedHost.Length == 0 || Uri.CheckHostName(AllowedHost) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6;

    /// <summary>A Host header brackets an IPv6 address, and host filtering compares it that way.</summary>
    private static string AsInHostHeader(string host) =>
        Uri.CheckHostName(host) == UriHostNameType.IPv6 && !host.StartsWith('[') ? $"[{host}]" : host;
}

public static class HostAllowListExtensions
{
    /// <summary>
    /// Gives ASP.NET Core's host filtering, which its web defaults already put first in every
    /// pipeline, the loopback names and <c>HermitSync:AllowedHost</c>. ASP.NET's own
    /// <c>AllowedHosts</c> setting is not read, so no configuration can widen the list to "*".
    /// </summary>
    public static TBuilder AddHostAllowList<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<HostAllowListOptions>()
            .BindConfiguration(HostAllowListOptions.Section)
            .Validate(o => o.IsValid(), "HermitSync:AllowedHost must be one host name or IP address, without a port or wildcard.")
            .ValidateOnStart();
        builder.Services.AddOptions<HostFilteringOptions>()
            .Configure<IOptions<HostAllowListOptions>>((filtering, allowList) =>
            {
                filtering.AllowedHosts = [.. allowList.Value.Hosts];
                // Every HTTP/1.1 and HTTP/2 client names the host; a request without one is nobody we serve.
                filtering.AllowEmptyHosts = false;
            });
        return builder;
    }
}
