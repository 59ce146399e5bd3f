namespace HermitSync.Rqlite;

/// <summary>A cluster member as rqlite's <c>/nodes</c> reports it.</summary>
public sealed record RqliteNode(string Id, string ApiAddress, string RaftAddress, bool Voter, bool Reachable, bool Leader, string? Error);
