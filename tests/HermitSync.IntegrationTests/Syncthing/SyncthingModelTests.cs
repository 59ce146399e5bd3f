using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using HermitSync.IntegrationTests.Infrastructure;

namespace HermitSync.IntegrationTests.Syncthing;

/// <summary>The app model the Syncthing integration builds, read without starting anything.</summary>
public sealed class SyncthingModelTests
{
    [Fact]
    public void Syncthing_is_a_container_of_the_pinned_image_until_RunAsExecutable_swaps_it_for_a_process()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var container = AddSyncthing(builder);
        var image = container.Resource.Annotations.OfType<ContainerImageAnnotation>().Single();

        var executable = container.RunAsExecutable("/opt/syncthing").WithDataDirectory("/srv/syncthing");

        Assert.Equal((SyncthingContainerImageTags.Image, SyncthingContainerImageTags.Tag), (image.Image, image.Tag));
        Assert.Equal("/opt/syncthing", Assert.IsType<SyncthingExecutableResource>(executable.Resource).Command);
        Assert.Same(container.Resource.Settings, executable.Resource.Settings);
        Assert.Equal("/srv/syncthing", executable.Resource.Settings.HomeDirectory);
        Assert.Equal([executable.Resource], builder.Resources.OfType<ISyncthingResource>());
        Assert.Empty(builder.Resources.OfType<ContainerResource>());
    }

    [Fact]
    public async Task Syncthing_in_either_form_runs_with_its_settings_heap_growth()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var container = AddSyncthing(builder);
        container.Resource.Settings.GoGcPercent = 40;
        var inContainer = await RunEnvironment.OfAsync(container.Resource);

        var executable = container.RunAsExecutable("/opt/syncthing");
        var asExecutable = await RunEnvironment.OfAsync(executable.Resource);

        Assert.Equal("40", inContainer["GOGC"]);
        Assert.Equal("40", asExecutable["GOGC"]);
    }

    [Fact]
    public void Choosing_the_form_after_something_waits_for_syncthing_fails_while_the_model_is_built()
    {
        using var builder = DistributedApplicationTestingBuilder.Create();
        var syncthing = AddSyncthing(builder);
        builder.AddExecutable("exporter", "true", ".").WaitFor(syncthing);

        var error = Assert.Throws<InvalidOperationException>(() => syncthing.RunAsExecutable("/opt/syncthing"));

        Assert.Contains("'exporter' already refers to 'syncthing'", error.Message);
    }

    private static IResourceBuilder<ISyncthingResource> AddSyncthing(IDistributedApplicationTestingBuilder builder) =>
        builder.AddSyncthing("syncthing", builder.AddParameter("api-key", secret: true), builder.AddParameter("gui-user", secret: true),
            builder.AddParameter("gui-password", secret: true), guiPort: 8384, listenPort: 22000);
}
