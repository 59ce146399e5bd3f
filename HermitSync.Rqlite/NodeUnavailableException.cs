namespace HermitSync.Rqlite;

/// <summary>A failure of one node that another node may not share.</summary>
internal sealed class NodeUnavailableException(string message, bool notApplied, bool reachable, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>True when rqlite certainly did not apply the request, so re-sending is safe.</summary>
    public bool NotApplied { get; } = notApplied;

    public bool Reachable { get; } = reachable;
}
