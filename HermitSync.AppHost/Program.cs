using HermitSync.AppHost;
using HermitSync.AppHost.Site;
using Microsoft.Extensions.Configuration;

// Before anything is created or started: every file of every site is its owner's alone.
OwnerOnly.ForEverythingCreated();

var builder = DistributedApplication.CreateBuilder(args).CheckHealthClosely();
var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

var secrets = new SiteSecrets(
    builder.AddParameter("rqlite-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true),
    builder.AddParameter("syncthing-api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true),
    builder.AddParameter("syncthing-gui-user", new GenerateParameterDefault { MinLength = 12, Upper = false, Special = false }, secret: true, persist: true),
    builder.AddParameter("syncthing-gui-password", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true),
    // New at every run, kept nowhere: only the services this run starts, and the AppHost, hold it.
    builder.AddParameter("internal-key", new GenerateParameterDefault { MinLength = 43, Special = false }, secret: true, persist: false));

var sites = SiteSettings.ReadAll(builder.Configuration)
    .Select(site => builder.AddSite(site, secrets, repository))
    .ToArray();

// Pairing up front needs the syncthing command on this machine, so it is for executable mode.
if (sites.Length > 1 && builder.Configuration.GetValue("HermitSync:AutoPair", true) && sites[0].Settings.Runtime == RuntimeMode.Executable)
{
    sites.PairWithEachOther();
}

builder.Build().Run();
