namespace Aspire.Hosting.ApplicationModel;

/// <summary>How Syncthing finds peers: by their static addresses only, on the LAN, or across the internet.</summary>
public enum SyncthingDiscovery { Off, Lan, Global }
