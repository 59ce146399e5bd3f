using BenchmarkDotNet.Attributes;
using HermitSync.Exporter.ChangeFiles;
using HermitSync.Exporter.Trust;
using HermitSync.Storage;

namespace HermitSync.MicroBench;

/// <summary>
/// Sealing (JSON, compression, XChaCha20-Poly1305, Ed25519 signature) and opening (signature,
/// decrypt, parse) a change file, and the signature's part of each alone.
/// </summary>
public class ChangeFileBenchmarks
{
    private readonly SyncKeyring _keyring = new("micro-benchmark passphrase");
    private readonly SiteSigningKey _signer = SiteSigningKey.Create();
    private ISiteKeys _keys = null!;
    private byte[] _signature = [];
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
        _sealed = ChangeFile.Seal(_keyring, _signer, ChangeFileKind.Changes, Revisions.SiteId, 1, _revisions);
        _keys = TrustedSites.InMemory(new SiteKeyStatement(Revisions.SiteId, "P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2", _signer.PublicKey, 0));
        _signature = _signer.Sign(_sealed);
    }

    [Benchmark]
    public byte[] Seal() => ChangeFile.Seal(_keyring, _signer, ChangeFileKind.Changes, Revisions.SiteId, 1, _revisions);

    [Benchmark]
    public int Open() => ChangeFile.Open(_keyring, _keys, _sealed).Revisions.Length;

    [Benchmark]
    public byte[] Sign() => _signer.Sign(_sealed);

    [Benchmark]
    public bool Verify() => SiteSigningKey.Verify(_signer.PublicKey, _sealed, _signature);
}
