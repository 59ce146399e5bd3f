using BenchmarkDotNet.Attributes;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Storage;

namespace HermitSync.MicroBench;

/// <summary>Sealing (JSON, compression, XChaCha20-Poly1305) and opening (verify, decrypt, parse) a change file.</summary>
public class ChangeFileBenchmarks
{
    private readonly SyncKeyring _keyring = new("micro-benchmark passphrase");
    private NoteRevision[] _revisions = [];
    private byte[] _sealed = [];

    /// <summary>One edit, a typical debounced burst, and a large catch-up file.</summary>
    [Params(1, 100, 10_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _revisions = Revisions.New(Rows);
        // The first seal derives the site's key (Argon2id, once per site), which is not what is timed.
        _sealed = ChangeFile.Seal(_keyring, ChangeFileKind.Changes, Revisions.SiteId, 1, _revisions);
    }

    [Benchmark]
    public byte[] Seal() => ChangeFile.Seal(_keyring, ChangeFileKind.Changes, Revisions.SiteId, 1, _revisions);

    [Benchmark]
    public int Open() => ChangeFile.Open(_keyring, _sealed).Revisions.Length;
}
