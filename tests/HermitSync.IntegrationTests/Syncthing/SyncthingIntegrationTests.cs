using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Text.Json;
using HermitSync.Exporter.Syncthing;
using HermitSync.IntegrationTests.Infrastructure;

namespace HermitSync.IntegrationTests.Syncthing;

/// <summary>The Syncthing hosting integration against the real Syncthing 1.29.5 that <c>./hermit</c> installs.</summary>
public sealed class SyncthingIntegrationTests(SyncthingFixture fixture) : IClassFixture<SyncthingFixture>
{
    private const string FolderId = "hermit-test";

    [Fact]
    public async Task It_is_syncthing_1_29_5_and_its_rest_api_wants_the_key()
    {
        using var keyed = fixture.Rest();
        using var anonymous = fixture.Rest(withApiKey: false);

        var version = await keyed.GetFromJsonAsync<JsonElement>("/rest/system/version");
        using var refused = await anonymous.GetAsync("/rest/system/version");

        Assert.StartsWith("v1.29.5", version.GetProperty("version").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task The_gui_asks_for_the_user_and_password_from_the_secret_parameters()
    {
        using var anonymous = fixture.Rest(withApiKey: false);

        using var right = await anonymous.PostAsJsonAsync("/rest/noauth/auth/password", new { username = fixture.GuiUser, password = fixture.GuiPassword });
        using var wrong = await anonymous.PostAsJsonAsync("/rest/noauth/auth/password", new { username = fixture.GuiUser, password = "not " + fixture.GuiPassword });

        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
    }

    [Fact]
    public async Task Discovery_relays_nat_reporting_and_upgrades_are_off_and_it_listens_on_loopback()
    {
        using var keyed = fixture.Rest();

        var options = await keyed.GetFromJsonAsync<JsonElement>("/rest/config/options");

        Assert.Equal([$"tcp://127.0.0.1:{fixture.ListenPort}"], options.GetProperty("listenAddresses").EnumerateArray().Select(a => a.GetString()));
        foreach (var off in new[] { "globalAnnounceEnabled", "localAnnounceEnabled", "relaysEnabled", "natEnabled", "crashReportingEnabled" })
        {
            Assert.False(options.GetProperty(off).GetBoolean(), off);
        }
        Assert.Equal(-1, options.GetProperty("urAccepted").GetInt32());
        Assert.Equal(0, options.GetProperty("autoUpgradeIntervalH").GetInt32());
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void The_config_is_owner_only_keeps_only_a_hash_and_no_secret_is_on_a_command_line()
    {
        var config = Path.Combine(fixture.DataDirectory, "home", "config.xml");
        var processes = ProcessTable.Mentioning(fixture.DataDirectory);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
        Assert.Contains("<password>$2", File.ReadAllText(config));
        Assert.DoesNotContain(fixture.GuiPassword, File.ReadAllText(config));
        Assert.NotEmpty(processes);
        foreach (var pid in processes)
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline");
            Assert.DoesNotContain(fixture.ApiKey, commandLine);
            Assert.DoesNotContain(fixture.GuiPassword, commandLine);
        }
    }

    /// <summary>Every call the exporter makes, through the exporter's own client: folders, devices, scanning, unpairing, ignoring, events.</summary>
    [Fact]
    public async Task The_exporters_client_pairs_scans_unpairs_and_ignores()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var syncthing = fixture.Client();
        using var keyed = fixture.Rest();
        // The example device ID in Syncthing's own REST documentation.
        const string peerId = "MFZWI3D-BONSGYC-YLTMRWG-C43ENR5-QXGZDMM-FZWI3DP-BONSGYY-LTMRWAD";

        var peer = SyncthingDeviceId.Parse(peerId.ToLowerInvariant());
        await syncthing.AddDeviceAsync(peer, "peer", "tcp://127.0.0.1:1", timeout.Token);
        await syncthing.EnsureFolderAsync(FolderId, "test", fixture.FolderPath, FolderType.SendOnly, [peer.ToString()], timeout.Token);
        var paired = await syncthing.PeersAsync(FolderId, timeout.Token);
        var folder = await keyed.GetFromJsonAsync<JsonElement>($"/rest/config/folders/{FolderId}", timeout.Token);
        await syncthing.ScanAsync(FolderId, timeout.Token);
        var events = await syncthing.EventsAsync(0, "ItemFinished,DeviceConnected,DeviceDisconnected,PendingDevicesChanged", TimeSpan.FromSeconds(1), timeout.Token);
        await syncthing.UnpairAsync(peer, timeout.Token);
        var unpaired = await syncthing.PeersAsync(FolderId, timeout.Token);
        await syncthing.IgnoreAsync(new PendingDevice(peer.ToString(), "stranger", "tcp://127.0.0.1:1", DateTimeOffset.Now), timeout.Token);
        var config = await keyed.GetFromJsonAsync<JsonElement>("/rest/config", timeout.Token);

        Assert.Equal(peerId, peer.ToString());
        Assert.NotEqual(peerId, await syncthing.MyDeviceIdAsync(timeout.Token));
        var only = Assert.Single(paired);
        Assert.Equal(["tcp://127.0.0.1:1"], only.Addresses);
        Assert.False(only.Connected);
        Assert.True(folder.GetProperty("fsWatcherEnabled").GetBoolean());
        Assert.Equal("sendonly", folder.GetProperty("type").GetString());
        Assert.Contains(FolderId, await syncthing.FolderIdsAsync(timeout.Token));
        Assert.Contains(folder.GetProperty("devices").EnumerateArray(), d => d.GetProperty("deviceID").GetString() == peerId);
        Assert.NotNull(events);
        Assert.Empty(unpaired);
        Assert.Empty(await syncthing.PendingDevicesAsync(timeout.Token));
        Assert.Contains(config.GetProperty("remoteIgnoredDevices").EnumerateArray(), d => d.GetProperty("deviceID").GetString() == peerId);
    }
}
