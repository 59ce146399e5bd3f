using System.Text.RegularExpressions;

namespace HermitSync.Storage;

/// <summary>
/// Notes link to attachments as <c>/attachments/{sha-256 in hex}</c>: one form, so the links a
/// body holds can be found without rendering it.
/// </summary>
public static partial class AttachmentLinks
{
    public const string Prefix = "/attachments/";

    /// <summary>How many links one body is read for: a body is at most 1 MiB, and this is far more than a note holds.</summary>
    public const int MaxPerBody = 1_000;

    public static string PathOf(string hash) => Prefix + hash;

    public static bool IsHash(string? value) => value is not null && Hash().IsMatch(value);

    /// <summary>The hash a link names, when <paramref name="url"/> is an attachment's link and nothing else.</summary>
    public static string? HashOf(string? url) =>
        url is not null && url.StartsWith(Prefix, StringComparison.Ordinal) && IsHash(url[Prefix.Length..]) ? url[Prefix.Length..] : null;

    /// <summary>The attachments a body links to, each once, in the order they first appear.</summary>
    public static IReadOnlyList<string> In(string? body)
    {
        if (string.IsNullOrEmpty(body) || !body.Contains(Prefix, StringComparison.Ordinal))
        {
            return [];
        }
        var hashes = new List<string>();
        foreach (Match match in Link().Matches(body))
        {
            var hash = match.Groups["hash"].Value;
            if (!hashes.Contains(hash))
            {
                hashes.Add(hash);
                if (hashes.Count == MaxPerBody)
                {
                    break;
                }
            }
        }
        return hashes;
    }

    /// <summary>The body with each link to an attachment that <paramref name="relink"/> gives a new address for pointed there.</summary>
    public static string Relink(string body, Func<string, string?> relink) =>
        body.Contains(Prefix, StringComparison.Ordinal)
            ? Link().Replace(body, match => relink(match.Groups["hash"].Value) ?? match.Value)
            : body;

    /// <summary>A file's name as the text of a Markdown link, one line: what Markdown would read as markup (brackets, HTML, emphasis, code) escaped.</summary>
    public static string LinkText(string name)
    {
        var oneLine = string.Join(' ', name.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
        return MarkdownSpecial().Replace(oneLine, @"\$0");
    }

    [GeneratedRegex(@"\A[0-9a-f]{64}\z")]
    private static partial Regex Hash();

    // The hash must end there: a longer run of hex digits is not a link to an attachment.
    [GeneratedRegex(@"/attachments/(?<hash>[0-9a-f]{64})(?![0-9a-zA-Z])")]
    private static partial Regex Link();

    [GeneratedRegex(@"[\\\[\]<>*_`]")]
    private static partial Regex MarkdownSpecial();
}
