using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HermitSync.Bench;

/// <summary>What a figure is set beside: the same work done by the plain tool, measured in the same run.</summary>
public sealed record Anchor(string Name, double Value);

/// <summary>One measured figure, its anchor, and the target it is held to.</summary>
public sealed record Figure(string Name, string Unit, double Value, Anchor? Anchor, string Target, bool? Met)
{
    public double? Ratio => Anchor is { Value: > 0 } anchor ? Value / anchor.Value : null;
}

/// <summary>The run's figures and notes, printed as a table and saved as Markdown and JSON.</summary>
public sealed class Report(MachineFacts machine)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // The file is read by people too: keep ≤, × and → as they are.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly string[] Header = ["figure", "measured", "anchor (same run)", "ratio", "target", "met"];

    public MachineFacts Machine { get; } = machine;

    public List<Figure> Figures { get; } = [];

    /// <summary>What a reader needs to read the figures right: repetitions, breakdowns, causes of a miss.</summary>
    public List<string> Notes { get; } = [];

    public void Add(Figure figure)
    {
        Figures.Add(figure);
        Console.WriteLine($"  {figure.Name}: {string.Join(", ", Cells(figure)[1..4])}");
    }

    public void Note(string note)
    {
        Notes.Add(note);
        Console.WriteLine($"  note: {note}");
    }

    public void Print()
    {
        var rows = Figures.Select(Cells).Prepend(Header).ToArray();
        var widths = Enumerable.Range(0, Header.Length).Select(column => rows.Max(row => row[column].Length)).ToArray();
        Console.WriteLine();
        Console.WriteLine(Machine.Summary);
        foreach (var row in rows)
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd());
        }
        foreach (var note in Notes)
        {
            Console.WriteLine($"- {note}");
        }
    }

    public async Task SaveAsync(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.md"), ToMarkdown());
        await File.WriteAllTextAsync(Path.Combine(directory, $"{name}.json"),
            JsonSerializer.Serialize(new { Machine, Figures, Notes }, Json) + Environment.NewLine);
    }

    private string ToMarkdown()
    {
        var markdown = new StringBuilder();
        markdown.AppendLine("# Hermit Sync benchmark").AppendLine();
        markdown.AppendLine($"`./hermit bench` on {Machine.Summary}").AppendLine();
        markdown.AppendLine($"| {string.Join(" | ", Header)} |");
        markdown.AppendLine($"|{string.Concat(Header.Select(_ => "---|"))}");
        foreach (var figure in Figures)
        {
            markdown.AppendLine($"| {string.Join(" | ", Cells(figure))} |");
        }
        markdown.AppendLine();
        foreach (var note in Notes)
        {
            markdown.AppendLine($"- {note}");
        }
        return markdown.ToString();
    }

    private static string[] Cells(Figure figure) =>
    [
        figure.Name,
        Format(figure.Value, figure.Unit),
        figure.Anchor is { } anchor ? $"{Format(anchor.Value, figure.Unit)} {anchor.Name}" : "—",
        figure.Ratio switch
        {
            null => "—",
            // A figure that is a sliver of its anchor reads better as a fraction.
            < 0.01 and double small => $"1/{(1 / small).ToString("N0", CultureInfo.InvariantCulture)}",
            double ratio => $"{ratio.ToString("0.00", CultureInfo.InvariantCulture)}×",
        },
        figure.Target,
        figure.Met switch { true => "yes", false => "NO", null => "—" },
    ];

    /// <summary>Three significant figures at most, and whole numbers from 100 up.</summary>
    public static string Format(double value, string unit)
    {
        var format = Math.Abs(value) >= 100 ? "N0" : Math.Abs(value) >= 10 ? "N1" : "N2";
        return $"{value.ToString(format, CultureInfo.InvariantCulture)} {unit}";
    }
}
