using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using HermitSync.Api.Security;
using HermitSync.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HermitSync.UnitTests.Access;

/// <summary>What the API and the exporter ask of every caller, on a real Kestrel: the internal credential, same-origin writes, JSON bodies.</summary>
public sealed class ServiceAccessTests
{
    private const string InternalKey = "internal-key-for-a-test-0123456789abcdef";

    [Fact]
    public async Task Without_the_internal_credential_only_the_health_endpoints_answer()
    {
        await using var service = await StartAsync();

        foreach (var (credential, path) in new[] { ((string?)null, "/notes"), ("wrong" + InternalKey, "/notes"), (InternalKey[..^1], "/notes"), (null, "/no-such-page") })
        {
            using var response = await service.SendAsync(HttpMethod.Get, path, credential);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        foreach (var path in new[] { "/health", "/alive" })
        {
            using var response = await service.SendAsync(HttpMethod.Get, path, credential: null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var allowed = await service.SendAsync(HttpMethod.Get, "/notes", InternalKey);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_service_without_the_credential_configured_does_not_start()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(internalKey: ""));

        Assert.Contains("HermitSync:InternalKey", failure.Message);
    }

    [Fact]
    public async Task A_client_with_the_credential_gets_in()
    {
        await using var service = await StartAsync();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["HermitSync:InternalKey"] = InternalKey }).Build());
        services.AddHttpClient("service", http => http.BaseAddress = service.Http.BaseAddress).AddInternalCredential();
        using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("service").GetAsync("/notes");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("cross-site", null)]
    [InlineData("same-site", null)]
    [InlineData(null, "http://evil.example")]
    public async Task A_write_another_site_sent_is_refused_even_with_the_credential(string? fetchSite, string? origin)
    {
        await using var service = await StartAsync();

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            using var response = await service.SendAsync(method, "/notes", InternalKey, JsonContent.Create(new { title = "x" }), request =>
            {
                if (fetchSite is not null)
                {
                    request.Headers.Add("Sec-Fetch-Site", fetchSite);
                }
                if (origin is not null)
                {
                    request.Headers.Add("Origin", origin);
                }
            });
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData(null)]
    public async Task A_body_a_form_could_send_is_refused(string? contentType)
    {
        await using var service = await StartAsync();

        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Patch })
        {
            var body = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"title":"x"}"""));
            body.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
            using var response = await service.SendAsync(method, "/notes", InternalKey, body);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        }
    }

    [Fact]
    public async Task Json_writes_from_this_origin_or_a_script_and_bodiless_deletes_pass()
    {
        await using var service = await StartAsync();

        using var script = await service.SendAsync(HttpMethod.Post, "/notes", InternalKey, JsonContent.Create(new { title = "x" }));
        using var page = await service.SendAsync(HttpMethod.Put, "/notes", InternalKey, JsonContent.Create(new { title = "x" }), request => request.Headers.Add("Sec-Fetch-Site", "same-origin"));
        using var delete = await service.SendAsync(HttpMethod.Delete, "/notes", InternalKey);

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
    }

    private static Task<RunningService> StartAsync(string internalKey = InternalKey) =>
        RunningService.StartAsync(
            new Dictionary<string, string?> { ["HermitSync:InternalKey"] = internalKey },
            builder =>
            {
                builder.RequireInternalCredential();
                builder.Services.AddProblemDetails();
            },
            app =>
            {
                app.UseJsonBodies();
                app.MapDefaultEndpoints();
                app.MapMethods("/notes", ["GET", "POST", "PUT", "PATCH", "DELETE"], () => "ok");
            });
}

/// <summary>Requests as the API's and the exporter's callers send them: with or without the credential, a body and browser headers.</summary>
internal static class ServiceRequests
{
    public static async Task<HttpResponseMessage> SendAsync(this RunningService service, HttpMethod method, string path, string? credential, HttpContent? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body };
        if (credential is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        }
        configure?.Invoke(request);
        return await service.Http.SendAsync(request);
    }
}
