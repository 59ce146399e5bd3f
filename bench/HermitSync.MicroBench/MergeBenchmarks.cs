using BenchmarkDotNet.Attributes;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.MicroBench;

/// <summary>Building the merge statements for a received file: the JSON the importer sends rqlite.</summary>
public class MergeBenchmarks
{
    private NoteRevision[] _newNotes = [];
    private NoteRevision[] _edits = [];

    [Params(100, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _newNotes = Revisions.New(Rows);
        _edits = Revisions.EditsOf(_newNotes);
    }

    [Benchmark]
    public IReadOnlyList<SqlStatement> NewNotes() => RevisionSql.Merge(_newNotes).Statements;

    /// <summary>Edits carry parent links, so the merge has a third statement.</summary>
    [Benchmark]
    public IReadOnlyList<SqlStatement> Edits() => RevisionSql.Merge(_edits).Statements;
}
