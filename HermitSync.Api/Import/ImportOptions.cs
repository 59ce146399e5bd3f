using HermitSync.Storage;

namespace HermitSync.Api.Import;

/// <summary>What an import accepts, and how it writes.</summary>
public sealed class ImportOptions
{
    public const string Section = "HermitSync:Import";

    /// <summary>The largest upload taken: an Evernote export with its images can be large.</summary>
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>The most one file in an archive may expand to: a note's body and its front matter.</summary>
    public long MaxItemBytes { get; set; } = NoteRules.MaxBodyBytes + 64 * 1024;

    /// <summary>The most an archive may expand to in all, so a zip bomb ends the import, not the machine.</summary>
    public long MaxExpandedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>The most items one import reads.</summary>
    public int MaxItems { get; set; } = 500_000;

    /// <summary>Notes written per rqlite transaction.</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>Finished imports kept for their pages.</summary>
    public int KeepFinished { get; set; } = 20;
}
