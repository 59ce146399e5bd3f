using System.Net;
using System.Text.RegularExpressions;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>The web app's Cluster page as a person reads it: the summary line, and a row per node.</summary>
public sealed partial record ClusterPage(string Health, string Leader, IReadOnlyList<ClusterPage.NodeRow> Nodes)
{
    /// <summary>One node's row: its role (leader, follower, non-voter) and its state ("up", or "down: why").</summary>
    public sealed record NodeRow(string Node, string Role, string State, bool Up);

    public NodeRow Node(string id) => Assert.Single(Nodes, row => row.Node == id);

    public static async Task<ClusterPage> ReadAsync(HttpClient web, CancellationToken cancellationToken = default)
    {
        var html = await web.GetStringAsync("/Cluster", cancellationToken);
        var summary = Summary().Match(html);
        Assert.True(summary.Success, $"the Cluster page has no summary line:{Environment.NewLine}{html}");
        var rows = Row().Matches(html).Select(row => new NodeRow(
            Text(row, "node"), Text(row, "role"), Text(row, "state"), row.Groups["class"].Value == "up")).ToArray();
        return new ClusterPage(Text(summary, "health"), Text(summary, "leader"), rows);
    }

    private static string Text(Match match, string group) => WebUtility.HtmlDecode(match.Groups[group].Value).Trim();

    [GeneratedRegex(@"<strong>(?<health>[^<]+)</strong>[^<]*leader: (?<leader>[^<]+)</p>")]
    private static partial Regex Summary();

    [GeneratedRegex(@"<tr class=""(?<class>up|down)"">\s*<td>(?<node>[^<]*)</td>\s*<td>(?<role>[^<]*)</td>\s*<td>(?<state>[^<]*)</td>")]
    private static partial Regex Row();
}
