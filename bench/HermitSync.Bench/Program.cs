using HermitSync.Bench;
using HermitSync.Testing;

// ./hermit bench [cold] [api] [lag] [bytes] [memory] [import] [garbage] [export] [enex] [stepdown] [search] [join] [hosts]: the figures of PRODUCT.md's
// targets, each beside its anchor measured in the same run. With no names, all of them.
// Not a test: it asserts nothing. The machine may be shared, so read ratios, not absolutes.
string[] all = ["cold", "api", "lag", "bytes", "memory", "attachments", "import", "garbage", "export", "enex", "stepdown", "search", "join", "hosts"];
// Each of these starts sites of its own; the rest share one two-site stack.
string[] apart = ["cold", "hosts"];
var selected = args.Length == 0 ? all : args;
if (selected.Except(all).ToArray() is [_, ..] unknown)
{
    Console.Error.WriteLine($"Unknown measurement {string.Join(", ", unknown)}; choose from: {string.Join(" ", all)}.");
    return 2;
}

var repository = FindRepository();
var report = new Report(MachineFacts.Read(repository));
Console.WriteLine(report.Machine.Summary);

if (selected.Contains("cold"))
{
    await ColdStart.RunAsync(report, repository);
}
if (selected.Contains("hosts") && OperatingSystem.IsLinux())
{
    await HostLag.RunAsync(report, repository);
}
if (selected.Except(apart).Any())
{
    // Two sites, paired over loopback: the API, lag and memory figures are site a's, the import site b's.
    var settings = new StackSettings(2, null, AttachmentTransfer.Setting);
    try
    {
        await using var stack = await BenchStack.StartAsync(settings);
        report.Note($"The two-site stack the other figures come from was healthy {stack.StartupTime.TotalSeconds:0.0} s after its start.");
        if (selected.Contains("api"))
        {
            await ApiLatency.RunAsync(stack, report);
        }
        if (selected.Contains("lag"))
        {
            await SyncLag.RunAsync(stack, report);
        }
        if (selected.Contains("bytes"))
        {
            await BytesPerEdit.RunAsync(stack, report);
        }
        if (selected.Contains("memory"))
        {
            await Memory.RunAsync(stack, report);
        }
        if (selected.Contains("attachments"))
        {
            await AttachmentTransfer.RunAsync(stack, report);
        }
        if (selected.Contains("import"))
        {
            await ImportRate.RunAsync(stack, report);
        }
        if (selected.Contains("garbage"))
        {
            await ImportAmidGarbage.RunAsync(stack, report);
        }
        if (selected.Contains("export"))
        {
            await ExportRate.RunAsync(stack, report);
        }
        if (selected.Contains("enex"))
        {
            await EnexImportRate.RunAsync(stack, report);
        }
        if (selected.Contains("stepdown"))
        {
            await StepDownPause.RunAsync(stack, report);
        }
        // Last: its 100,000 notes would weigh on every figure after it.
        if (selected.Contains("search"))
        {
            await SearchScale.RunAsync(stack, report);
        }
        if (selected.Contains("join"))
        {
            await SiteJoin.RunAsync(stack, report);
        }
    }
    finally
    {
        settings.DeleteData();
    }
}

report.Print();
// A partial run is kept apart, so it never replaces the last full one.
var name = selected.Length == all.Length ? "latest" : $"latest-{string.Join("-", selected)}";
await report.SaveAsync(Path.Combine(repository, "bench", "results"), name);
return 0;

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "HermitSync.sln")))
        {
            return directory.FullName;
        }
    }
    throw new InvalidOperationException("Run from inside the repository.");
}
