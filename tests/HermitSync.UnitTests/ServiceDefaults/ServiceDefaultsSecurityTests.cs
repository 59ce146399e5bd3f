using System.Net;
using HermitSync.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HermitSync.UnitTests.ServiceDefaults;

/// <summary>The host allow-list and the security headers every service gets from AddServiceDefaults, on a real Kestrel.</summary>
public sealed class ServiceDefaultsSecurityTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:5180")]
    [InlineData("127.0.0.1:4321")]
    [InlineData("[::1]:5180")]
    [InlineData("LOCALHOST:5180")]
    public async Task Loopback_names_on_any_port_are_served(string host)
    {
        await using var service = await StartAsync();

        Assert.Equal(HttpStatusCode.OK, await service.GetAsync(host));
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("rebound.attacker.example:5180")]
    [InlineData("localhost.attacker.example")]
    [InlineData("127.0.0.1.nip.io:5180")]
    [InlineData("notes.example")]
    public async Task Any_other_name_gets_a_400(string host)
    {
        await using var service = await StartAsync();

        Assert.Equal(HttpStatusCode.BadRequest, await service.GetAsync(host));
    }

    [Theory]
    [InlineData("notes.example", "notes.example:8080")]
    [InlineData("192.0.2.10", "192.0.2.10:5180")]
    [InlineData("fd00::10", "[fd00::10]:5180")]
    [InlineData("[fd00::10]", "[fd00::10]")]
    public async Task The_configured_name_is_served_besides_loopback(string allowedHost, string host)
    {
        await using var service = await StartAsync(allowedHost);

        Assert.Equal(HttpStatusCode.OK, await service.GetAsync(host));
        Assert.Equal(HttpStatusCode.OK, await service.GetAsync("localhost"));
        Assert.Equal(HttpStatusCode.BadRequest, await service.GetAsync("evil.example"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("*.example")]
    [InlineData("notes.example:8080")]
    [InlineData("localhost;evil.example")]
    [InlineData("[fd00::10")]
    [InlineData(" notes.example")]
    public async Task A_configured_name_that_would_widen_the_list_stops_the_service_at_start(string allowedHost)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(allowedHost));

        Assert.Contains("HermitSync:AllowedHost", failure.Message);
    }

    [Fact]
    public async Task Every_answer_carries_the_security_headers_even_a_404()
    {
        await using var service = await StartAsync();

        foreach (var path in new[] { "/", "/alive", "/no-such-page" })
        {
            using var response = await service.Http.GetAsync(path);
            Assert.Equal(SecurityHeadersOptions.NothingPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("same-origin", response.Headers.GetValues("Cross-Origin-Resource-Policy").Single());
        }
    }

    [Fact]
    public async Task A_service_sets_its_own_policy_and_it_replaces_one_a_handler_wrote()
    {
        await using var service = await StartAsync(configure: services =>
            services.Configure<SecurityHeadersOptions>(headers => headers.ContentSecurityPolicy = "default-src 'self'"));

        using var response = await service.Http.GetAsync("/loose");

        Assert.Equal("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    private static Task<RunningService> StartAsync(string? allowedHost = null, Action<IServiceCollection>? configure = null) =>
        RunningService.StartAsync(
            new Dictionary<string, string?> { ["HermitSync:AllowedHost"] = allowedHost ?? "" },
            builder => configure?.Invoke(builder.Services),
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGet("/", () => "hello");
                app.MapGet("/loose", (HttpContext context) =>
                {
                    context.Response.Headers.ContentSecurityPolicy = "default-src *";
                    return "loose";
                });
            });
}
