namespace HermitSync.Storage;

/// <summary>One schema step. Its statements and its bookkeeping row commit together.</summary>
public sealed record Migration(int Version, string Name, IReadOnlyList<string> Statements);
