using HermitSync.AppHost;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// Settles, as the app starts, where Syncthing keeps its home: the directory given to
/// <c>WithDataDirectory</c>, or else a new temporary one for this run (a new device ID each
/// run). A container gets its home and the shared folder mounted.
/// </summary>
internal static class SyncthingDataDirectory
{
    public static void Prepare(IDistributedApplicationBuilder builder, ISyncthingResource syncthing)
    {
        var settings = syncthing.Settings;
        settings.HomeDirectory ??= Directory.CreateTempSubdirectory($"{syncthing.Name}-").FullName;
        OwnerOnly.CreateDirectory(settings.HomeDirectory);
        if (settings.SharedFolder is not null)
        {
            Directory.CreateDirectory(settings.SharedFolder);
        }
        if (syncthing is SyncthingContainerResource container)
        {
            var mounts = builder.CreateResourceBuilder(container).WithBindMount(settings.HomeDirectory, "/var/syncthing");
            if (settings.SharedFolder is not null)
            {
                mounts.WithBindMount(settings.SharedFolder, SyncthingContainerResource.ContainerFolderPath);
            }
        }
    }
}
