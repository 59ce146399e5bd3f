using System.Reflection;
using System.Runtime.InteropServices;

namespace Aspire.Hosting;

public static class PublishedProgramExtensions
{
    /// <summary>
    /// Runs the program the AppHost's build published for this project, compiled ahead of time
    /// (ReadyToRun, <c>HermitSync.Service.props</c>), instead of <c>dotnet run</c> around its
    /// build. A launcher stays the service's parent for the whole run, with its own 65 MiB and a
    /// second of CPU at every start, and only passes signals on. The project stays a project
    /// resource: its endpoints, environment, health checks and commands are unchanged. The build
    /// writes each service's path into the AppHost (<c>EmbedServicePrograms</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPublishedProgram(this IResourceBuilder<ProjectResource> project)
    {
        if (!project.ApplicationBuilder.ExecutionContext.IsRunMode)
        {
            return project;
        }
        var projectPath = project.Resource.GetProjectMetadata().ProjectPath;
        var name = Path.GetFileNameWithoutExtension(projectPath);
        var assembly = project.ApplicationBuilder.AppHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == $"program:{name}")?.Value
            ?? throw new InvalidOperationException($"The AppHost's build did not record where {name} was published; build HermitSync.AppHost again.");
        var program = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        return project
            .WithAnnotation(new ExecutableAnnotation { Command = program, WorkingDirectory = Path.GetDirectoryName(projectPath)! }, ResourceAnnotationMutationBehavior.Replace)
            // The program finds the runtime the AppHost itself runs on, wherever it is installed.
            .WithEnvironment("DOTNET_ROOT", Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..")));
    }
}
