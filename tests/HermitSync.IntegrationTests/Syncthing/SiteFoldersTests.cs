using System.Net.Http.Json;
using System.Text.Json;
using HermitSync.Exporter.Sync;
using HermitSync.Exporter.Syncthing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HermitSync.IntegrationTests.Syncthing;

/// <summary>The exporter's folder layout against the real Syncthing 1.29.5: one folder per site, and the move to it.</summary>
public sealed class SiteFoldersTests(SyncthingFixture fixture) : IClassFixture<SyncthingFixture>
{
    [Fact]
    public async Task A_site_that_shared_one_folder_moves_to_its_own_send_only_folder_and_keeps_every_file()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var syncthing = fixture.Client();
        using var rest = fixture.Rest();
        var site = new SiteIdentity(SiteIds.New());
        var root = fixture.FolderPath;
        var files = Path.Combine(root, "sites", site.SiteId);
        Directory.CreateDirectory(files);
        await File.WriteAllBytesAsync(Path.Combine(files, "c-000000000001.hsync"), [1, 2, 3], timeout.Token);
        await syncthing.EnsureFolderAsync("hermit-sync", "Hermit Sync", root, FolderType.SendOnly, [], timeout.Token);
        var folders = new SiteFolders(syncthing, site, Options.Create(new SyncOptions { SyncFolder = root }), TimeProvider.System, NullLogger<SiteFolders>.Instance);

        await folders.EnsureAsync(timeout.Token);
        await folders.EnsureAsync(timeout.Token);

        var configured = (await rest.GetFromJsonAsync<JsonElement>("/rest/config/folders", timeout.Token)).EnumerateArray().ToArray();
        var own = Assert.Single(configured);
        Assert.Equal(SiteFolders.IdOf(site.SiteId), own.GetProperty("id").GetString());
        Assert.Equal(files, own.GetProperty("path").GetString());
        Assert.Equal("sendonly", own.GetProperty("type").GetString());
        Assert.Equal([1, 2, 3], await File.ReadAllBytesAsync(Path.Combine(files, "c-000000000001.hsync"), timeout.Token));
    }

    [Theory]
    [InlineData("hermit-0123456789abcdef0123456789abcdef", true)]
    [InlineData("hermit-0123456789ABCDEF0123456789abcdef", false)]
    [InlineData("hermit-sync", false)]
    [InlineData("hermit-../../etc", false)]
    [InlineData("default", false)]
    public void Only_a_site_id_makes_a_site_folder(string folderId, bool isSite) =>
        Assert.Equal(isSite, SiteFolders.IsSiteFolder(folderId, out _));
}
