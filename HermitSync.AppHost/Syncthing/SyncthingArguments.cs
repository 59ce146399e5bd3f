namespace Aspire.Hosting.ApplicationModel;

/// <summary>The command line of a local Syncthing. Secrets reach it through the environment and its config file, never here.</summary>
internal static class SyncthingArguments
{
    public static void ForExecutable(CommandLineArgsCallbackContext context, SyncthingExecutableResource syncthing)
    {
        context.Args.Add("serve");
        context.Args.Add("--no-browser");
        context.Args.Add("--no-restart");
        context.Args.Add("--home");
        context.Args.Add(syncthing.Settings.StartedHomeDirectory);
        context.Args.Add("--gui-address");
        context.Args.Add(ReferenceExpression.Create($"http://127.0.0.1:{syncthing.GuiEndpoint.Property(EndpointProperty.Port)}"));
    }
}
