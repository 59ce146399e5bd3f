using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace HermitSync.IntegrationTests.Browser;

/// <summary>
/// What Chromium reports in every page of a browser context that a person would not see:
/// Content-Security-Policy violations (logged to the console) and uncaught script errors.
/// </summary>
public sealed class PageProblems
{
    private readonly ConcurrentQueue<string> _problems = new();

    public PageProblems(IBrowserContext context)
    {
        context.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                _problems.Enqueue($"{message.Location}: {message.Text}");
            }
        };
        context.WebError += (_, error) => _problems.Enqueue($"uncaught error: {error.Error}");
    }

    public IReadOnlyCollection<string> Seen => _problems;

    public void AssertNone() =>
        Assert.True(_problems.IsEmpty, $"The browser reported problems:\n{string.Join("\n", _problems)}");
}
