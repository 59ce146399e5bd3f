using System.Net;
using HermitSync.AppHost.Site;
using Microsoft.Extensions.Configuration;

namespace HermitSync.IntegrationTests.Stack;

/// <summary>The AppHost's reading of a site's settings, from the settings alone.</summary>
public sealed class SiteSettingsTests
{
    [Fact]
    public void By_default_the_sync_protocol_listens_on_every_interface_so_another_machine_can_connect()
    {
        var site = Assert.Single(SiteSettings.ReadAll(Settings()));

        Assert.Equal(IPAddress.Any, site.SyncListenAddress);
        Assert.Equal(22010, site.SyncthingListenPort);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("192.168.1.20")]
    [InlineData("::")]
    public void The_sync_listen_address_can_be_one_address_of_this_machine(string address)
    {
        var site = Assert.Single(SiteSettings.ReadAll(Settings(("HermitSync:SyncListenAddress", address))));

        Assert.Equal(IPAddress.Parse(address), site.SyncListenAddress);
    }

    [Fact]
    public void A_sync_listen_address_that_is_no_address_is_refused_with_what_to_write()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => SiteSettings.ReadAll(Settings(("HermitSync:SyncListenAddress", "everywhere"))));

        Assert.Contains("0.0.0.0 listens on every interface", refused.Message);
    }

    [Fact]
    public void A_restore_names_its_backup_per_site()
    {
        var one = Assert.Single(SiteSettings.ReadAll(Settings(("HermitSync:Restore", "backup.sqlite3"))));
        var two = SiteSettings.ReadAll(Settings(("HermitSync:Sites", "2"), ("HermitSync:Restore:b", "/backups/b.sqlite3")));

        Assert.Equal(Path.GetFullPath("backup.sqlite3"), one.RestoreFrom);
        Assert.Null(two.Single(s => s.Name == "a").RestoreFrom);
        Assert.Equal("/backups/b.sqlite3", two.Single(s => s.Name == "b").RestoreFrom);
    }

    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection([new("HermitSync:DataDirectory", Path.Combine(Path.GetTempPath(), "hermit-settings-test")), new("HermitSync:Runtime", "executable"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))])
            .Build();
}
