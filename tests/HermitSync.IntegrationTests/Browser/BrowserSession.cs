using HermitSync.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>
/// Debian's Chromium, headless, driven by Playwright. Each test runs in a fresh browser
/// context and leaves a screenshot in <c>artifacts/browser/</c>; a failing test also leaves
/// its Playwright trace there (open it with <c>playwright show-trace</c>). A test fails on any
/// Content-Security-Policy violation or uncaught script error in its pages.
/// </summary>
public sealed class BrowserSession : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    public static string Artifacts { get; } = Path.Combine(Repository.Root, "artifacts", "browser");

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _executable = Chromium;
    private string? _wrapper;

    /// <summary>
    /// A browser on another host: Chromium runs inside <paramref name="host"/>'s network namespace,
    /// so it reaches that host's loopback, while Playwright drives it over a pipe from here.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static BrowserSession Inside(HermitSync.Testing.Hosts.NetworkNamespace host)
    {
        var wrapper = Path.Combine(Directory.CreateTempSubdirectory("hermit-chromium-").FullName, "chromium");
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec ip netns exec {host.Name} {Chromium} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new BrowserSession { _executable = wrapper, _wrapper = wrapper };
    }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser has not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Artifacts);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = _executable,
            Headless = true,
            Timeout = 60_000,
            // The closed network refuses Chromium's own background traffic; keep it from trying.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// Runs <paramref name="test"/> on a new page of the site <paramref name="notesLink"/> lets in
    /// (<see cref="NewContextAsync"/>), keeping a screenshot always and the trace on failure.
    /// </summary>
    public async Task RunAsync(string name, Uri notesLink, Func<IPage, Task> test)
    {
        await using var context = await NewContextAsync(notesLink);
        var problems = new PageProblems(context);
        await context.Tracing.StartAsync(new TracingStartOptions { Screenshots = true, Snapshots = true, Sources = false, Title = name });
        var page = await context.NewPageAsync();
        try
        {
            await test(page);
            problems.AssertNone();
            await context.Tracing.StopAsync();
        }
        catch
        {
            await context.Tracing.StopAsync(new TracingStopOptions { Path = Path.Combine(Artifacts, $"{name}.trace.zip") });
            throw;
        }
        finally
        {
            await ScreenshotAsync(page, name);
        }
    }

    /// <summary>
    /// A context of its own: another browser profile, for a second tab or a second machine. It opens
    /// the Notes link first, as a person does once, so it holds the site's cookie; its pages start
    /// at the site's root.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(Uri notesLink)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = notesLink.GetLeftPart(UriPartial.Authority),
            ViewportSize = new ViewportSize { Width = 1100, Height = 800 },
        });
        context.SetDefaultTimeout(15_000);
        var login = await context.NewPageAsync();
        var landed = await login.GotoAsync(notesLink.ToString());
        if (landed is not { Ok: true } || new Uri(login.Url).AbsolutePath != "/")
        {
            await context.DisposeAsync();
            throw new InvalidOperationException($"The Notes link did not let the browser in: it ended at {login.Url} ({landed?.Status}).");
        }
        await login.CloseAsync();
        return context;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        if (!page.IsClosed)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, $"{name}.png"), FullPage = true });
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (_wrapper is not null)
        {
            Directory.Delete(Path.GetDirectoryName(_wrapper)!, recursive: true);
        }
    }
}
