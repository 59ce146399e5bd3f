using System.Runtime.Versioning;
using HermitSync.IntegrationTests.Infrastructure;
using HermitSync.Testing.Hosts;

namespace HermitSync.IntegrationTests.Hosts;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SeparateHostsCollection
{
    public const string Name = "separate hosts";
}

/// <summary>
/// Sites on hosts of their own, each a network namespace on one test LAN (<see cref="HostNetwork"/>),
/// each started by <c>./hermit run</c> with default settings and a private data directory, and all
/// given one passphrase as the Sync page's Join gives it. Removed whole, namespaces and processes, even when
/// a test fails.
/// </summary>
[SupportedOSPlatform("linux")]
public abstract class HostsFixture(string[] names, params string[] options) : IAsyncLifetime
{
    /// <summary>Three sites build nothing but start on two shared cores at once: slow, on a busy machine.</summary>
    public static readonly TimeSpan StartPatience = TimeSpan.FromMinutes(5);

    /// <summary>How long sync may take between hosts on a sound link.</summary>
    public static readonly TimeSpan SyncPatience = TimeSpan.FromSeconds(90);

    private readonly List<HostSite> _sites = [];

    public HostNetwork Network { get; } = new();

    public IReadOnlyList<HostSite> Sites => _sites;

    public HostSite Site(string name) => _sites.Single(site => site.Host.Name == name);

    public async Task InitializeAsync()
    {
        var passphrase = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        foreach (var name in names)
        {
            var log = Path.Combine(Repository.Root, "artifacts", "hosts", $"{GetType().Name}-{name}.log");
            _sites.Add(await HostSite.LaunchAsync(Network.AddHost(name), Repository.Root, passphrase, log, StartPatience, options));
        }
        await Task.WhenAll(_sites.Select(site => site.WaitUntilReadyAsync(StartPatience)));
        await PairAsync();
    }

    /// <summary>Pairs the sites as the scenario starts.</summary>
    protected abstract Task PairAsync();

    public async Task DisposeAsync()
    {
        var failures = new List<Exception>();
        foreach (var site in _sites)
        {
            try
            {
                await site.DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }
        try
        {
            Network.Dispose();
        }
        catch (Exception e)
        {
            failures.Add(e);
        }
        if (failures.Count > 0)
        {
            throw new AggregateException("The hosts were not removed whole.", failures);
        }
    }
}
