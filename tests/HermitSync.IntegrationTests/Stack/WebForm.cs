using System.Net;
using System.Text.RegularExpressions;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>Does what a browser does with a Razor Pages form: reads its antiforgery token and posts it back with the cookie.</summary>
public static partial class WebForm
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string pageUrl, IReadOnlyDictionary<string, string> fields) =>
        await SubmitFromAsync(browser, pageUrl, await browser.GetStringAsync(pageUrl), fields);

    /// <summary>Submits one of several forms on a page, the one posting to <paramref name="handler"/>, with only the given fields.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient browser, string pageUrl, string handler, IReadOnlyDictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(pageUrl);
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Token(page) };
        return await browser.PostAsync($"{pageUrl}?handler={handler}", new FormUrlEncodedContent(form));
    }

    /// <summary>Submits a form as it was on a page loaded earlier, hidden fields included, as a stale browser tab would.</summary>
    public static async Task<HttpResponseMessage> SubmitFromAsync(HttpClient browser, string pageUrl, string page, IReadOnlyDictionary<string, string> fields)
    {
        var form = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = Token(page) };
        foreach (Match hidden in HiddenInput().Matches(page))
        {
            form.TryAdd(WebUtility.HtmlDecode(hidden.Groups["name"].Value), WebUtility.HtmlDecode(hidden.Groups["value"].Value));
        }
        return await browser.PostAsync(pageUrl, new FormUrlEncodedContent(form));
    }

    public static string Token(string page) =>
        TokenInput().Match(page) is { Success: true } match
            ? match.Groups["token"].Value
            : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("""name="__RequestVerificationToken" type="hidden" value="(?<token>[^"]+)" """)]
    private static partial Regex TokenInput();

    [GeneratedRegex("""<input type="hidden"[^>]*?name="(?<name>[^"]+)"[^>]*?value="(?<value>[^"]*)" """)]
    private static partial Regex HiddenInput();
}
