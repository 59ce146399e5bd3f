namespace HermitSync.Rqlite;

/// <summary>rqlite's read consistency levels (the <c>level</c> query parameter).</summary>
public enum ReadConsistency
{
    /// <summary>Reads the local node's SQLite without checking leadership: fastest, may be stale.</summary>
    None,
    /// <summary>Reads on the node that believes it is leader.</summary>
    Weak,
    /// <summary>Confirms leadership with a quorum before reading.</summary>
    Linearizable,
    /// <summary>Sends the read through the Raft log.</summary>
    Strong,
}
