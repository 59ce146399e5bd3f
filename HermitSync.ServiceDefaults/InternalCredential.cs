using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace HermitSync.ServiceDefaults;

/// <summary>
/// The AppHost's internal credential: a secret it gives the services, so the API and the exporter
/// know a caller is one of them (or the AppHost itself) rather than anything else on this machine
/// that can reach a loopback port. Behind Aspire's proxy every caller comes from 127.0.0.1, so the
/// address says nothing.
/// </summary>
public sealed class InternalCredentialOptions
{
    public const string Section = "HermitSync";

    /// <summary>Shorter than this is no secret; the AppHost generates 32 characters or more.</summary>
    public const int MinimumLength = 32;

    /// <summary><c>HermitSync:InternalKey</c>, which the AppHost sets in each service's environment: never a command line or a URL.</summary>
    public string InternalKey { get; set; } = "";

    internal bool IsValid() => InternalKey.Length >= MinimumLength;
}

public static class InternalCredentialExtensions
{
    /// <summary>
    /// Answers 401 to any request without <c>Authorization: Bearer</c> and the internal credential,
    /// apart from <c>/health</c> and <c>/alive</c>, which Aspire's health checks call without it.
    /// A service without the credential configured does not start.
    /// </summary>
    public static TBuilder RequireInternalCredential<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        AddInternalCredentialOptions(builder.Services);
        builder.Services.AddTransient<IStartupFilter, InternalCredentialStartupFilter>();
        return builder;
    }

    /// <summary>Sends the internal credential with every request of this client, to the API or the exporter.</summary>
    public static IHttpClientBuilder AddInternalCredential(this IHttpClientBuilder http)
    {
        AddInternalCredentialOptions(http.Services);
        http.Services.AddTransient<InternalCredentialHandler>();
        return http.AddHttpMessageHandler<InternalCredentialHandler>();
    }

    /// <summary>The header a caller sends: for a forwarder that builds its requests itself.</summary>
    public static AuthenticationHeaderValue AuthorizationHeader(this InternalCredentialOptions options) => new("Bearer", options.InternalKey);

    internal static void AddInternalCredentialOptions(IServiceCollection services) =>
        services.AddOptions<InternalCredentialOptions>()
            .BindConfiguration(InternalCredentialOptions.Section)
            .Validate(o => o.IsValid(), $"HermitSync:InternalKey must be set ({InternalCredentialOptions.MinimumLength} characters or more); start the services through the AppHost.")
            .ValidateOnStart();

    private sealed class InternalCredentialHandler(IOptions<InternalCredentialOptions> options) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = options.Value.AuthorizationHeader();
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class InternalCredentialStartupFilter(IOptions<InternalCredentialOptions> options) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var expected = Encoding.UTF8.GetBytes(options.Value.InternalKey);
            app.Use(async (context, nextMiddleware) =>
            {
                if (Extensions.IsHealthEndpoint(context.Request.Path) || Presents(context.Request, expected))
                {
                    await nextMiddleware(context);
                    return;
                }
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await context.WriteProblemAsync(StatusCodes.Status401Unauthorized, "The internal credential is missing or wrong.",
                    "This service answers only the other Hermit Sync services and the AppHost. Reach the notes through the web app.");
            });
            next(app);
        };

        private static bool Presents(HttpRequest request, byte[] expected) =>
            BearerToken.From(request) is { } presented && BearerToken.Matches(presented, expected);
    }
}

/// <summary>Reads <c>Authorization: Bearer</c> and compares it in fixed time, so a wrong guess says nothing about the right one.</summary>
public static class BearerToken
{
    public static string? From(HttpRequest request)
    {
        var header = request.Headers[HeaderNames.Authorization].ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    public static bool Matches(string presented, byte[] expected) =>
        expected.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), expected);
}
