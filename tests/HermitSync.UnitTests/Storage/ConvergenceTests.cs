using HermitSync.Storage;
using Xunit.Sdk;

namespace HermitSync.UnitTests.Storage;

/// <summary>
/// Simulated sites run the real merge SQL and readers on real SQLite (the engine inside rqlite),
/// make random creates, edits, deletes and resolutions with skewed clocks, and send each other
/// change files of one or many revisions and snapshots of all they made, delivered in random
/// order, duplicated and delayed. After full delivery every site must hold the same set of
/// revisions as the model, and every note's row and conflicts must be what the merge rule says
/// for that set. A site that joins at the end from the latest snapshots alone, which carry long
/// replaced revisions without their body, must end the same. Sites also tag, pin and move notes and make, rename, move and delete
/// notebooks; every site must end with the same property registers, each holding the greatest
/// write made to it. Everything random comes from the seed, so a failing seed replays alone.
/// </summary>
public sealed class ConvergenceTests
{
    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 300).Select(seed => new object[] { seed });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Sites_converge_under_any_delivery_order_and_keep_every_losing_edit(int seed) => Replay(seed);

    [Fact]
    public void The_simulation_really_produces_conflicts_deletes_resurrections_and_snapshots()
    {
        var outcomes = Enumerable.Range(1, 60).Select(Replay).ToArray();

        Assert.True(outcomes.Sum(o => o.Conflicts) > 20, "too few conflicts to test anything");
        Assert.True(outcomes.Sum(o => o.Tombstones) > 10, "too few deletes");
        Assert.True(outcomes.Sum(o => o.DeletesOutvoted) > 0, "no delete ever lost to a concurrent edit");
        Assert.True(outcomes.Sum(o => o.MultiRevisionFiles) > 50, "too few files of several revisions");
        Assert.True(outcomes.Sum(o => o.Snapshots) > 20, "too few snapshots");
        Assert.True(outcomes.Sum(o => o.Sites[0].Properties.Count(p => p.Name.StartsWith(Properties.TagPrefix) && p.Value.Length == 0)) > 10, "too few tags removed");
        Assert.True(outcomes.Sum(o => o.Sites[0].Properties.Count(p => p.Name == Properties.NotebookDeleted && p.Value.Length > 0)) > 5, "too few notebooks deleted");
        Assert.True(outcomes.Sum(o => o.SameRegisterWrittenConcurrently) > 20, "too few registers written at two sites before they met");
        Assert.True(outcomes.Sum(o => o.Sites.Sum(s => s.Pruned)) > 20, "too few revisions reached a site without their body");
    }

    [Fact]
    public void The_same_seed_makes_the_same_run()
    {
        static string[] Run(int seed) => Simulate(seed).Revisions.Select(r => $"{r.NoteId} {r.Id} {r.Title} {r.Body} {r.Deleted}").ToArray();

        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
    }

    /// <summary>Runs one seed and checks it; a failure names the seed that replays it.</summary>
    private static Outcome Replay(int seed)
    {
        try
        {
            var outcome = Simulate(seed);
            Check(outcome);
            return outcome;
        }
        catch (XunitException e)
        {
            throw new XunitException($"Seed {seed} fails; Sites_converge_under_any_delivery_order_and_keep_every_losing_edit({seed}) replays it.{Environment.NewLine}{e.Message}");
        }
    }

    private sealed record Outcome(
        IReadOnlyList<NoteRevision> Revisions, IReadOnlyList<PropertyChange> PropertyWrites, IReadOnlyList<SiteState> Sites, int MultiRevisionFiles, int Snapshots)
    {
        /// <summary>Registers that two sites wrote: the cases where last-writer-wins decides.</summary>
        public int SameRegisterWrittenConcurrently => PropertyWrites.GroupBy(p => (p.EntityId, p.Name)).Count(g => g.Select(p => p.SiteId).Distinct().Count() > 1);

        public int Conflicts => Sites[0].Conflicts.Count;

        public int Tombstones => Sites[0].Notes.Count(n => n.Deleted);

        public int DeletesOutvoted => Sites[0].Conflicts.Count(c => c.Conflict.Deleted);
    }

    /// <summary>What a site ends with: its rows, its revision keys, every note's conflicts, its property registers, and how many revisions it holds without their body.</summary>
    private sealed record SiteState(
        IReadOnlyList<NoteRow> Notes, IReadOnlyList<RevisionKey> Revisions, IReadOnlyList<(Guid Note, NoteVersion Conflict)> Conflicts, IReadOnlyList<PropertyChange> Properties,
        long Pruned);

    private static Outcome Simulate(int seed)
    {
        var random = new Random(seed);
        var start = DateTimeOffset.Parse("2026-11-26T12:00:00Z");
        var sites = Enumerable.Range(0, random.Next(2, 5))
            // One site's clock may be an hour behind or ahead.
            .Select(i => new SimulatedSite(RandomSiteId(random), start.AddMinutes(i == 0 ? random.Next(-60, 61) : 0)))
            .ToArray();
        var inFlight = new List<(SimulatedSite To, ChangeSet File)>();
        var all = new List<NoteRevision>();
        var writes = new List<PropertyChange>();
        var (multiRevisionFiles, snapshots) = (0, 0);

        void Send(SimulatedSite from, ChangeSet file)
        {
            multiRevisionFiles += file.Revisions.Length > 1 ? 1 : 0;
            foreach (var peer in sites.Where(s => s != from))
            {
                inFlight.Add((peer, file));
                if (random.Next(5) == 0)
                {
                    inFlight.Add((peer, file));
                }
            }
        }

        var steps = random.Next(20, 80);
        for (var step = 0; step < steps; step++)
        {
            var site = sites[random.Next(sites.Length)];
            site.Time.Now += TimeSpan.FromMilliseconds(random.Next(0, 2000));
            switch (random.Next(11))
            {
                case 8 or 9 or 10:
                    writes.AddRange(site.MakeRandomPropertyWrites(random));
                    break;
                case 0 when inFlight.Count > 0:
                    Deliver(random, inFlight);
                    break;
                case 1:
                    Send(site, site.TakeUnsent());
                    break;
                case 2:
                    // A snapshot holds everything the site made, so it also repeats what was sent before.
                    snapshots++;
                    Send(site, site.Snapshot());
                    break;
                default:
                    if (site.MakeRandomEdit(random) is { } revision)
                    {
                        all.Add(revision);
                    }
                    break;
            }
        }
        foreach (var site in sites)
        {
            Send(site, site.TakeUnsent());
        }
        while (inFlight.Count > 0)
        {
            Deliver(random, inFlight);
        }

        // A site that joins now finds only each site's latest snapshot, the files before it compacted away.
        using var joiner = new SimulatedSite(RandomSiteId(random), start);
        foreach (var site in sites.OrderBy(_ => random.Next()))
        {
            joiner.Apply(site.Snapshot());
        }
        var states = sites.Append(joiner).Select(s => s.State()).ToArray();
        foreach (var site in sites)
        {
            site.Dispose();
        }
        return new Outcome(all, writes, states, multiRevisionFiles, snapshots);
    }

    private static void Check(Outcome outcome)
    {
        var (rows, conflicts) = ReferenceModel(outcome.Revisions);
        var keys = Sorted(outcome.Revisions.Select(r => new RevisionKey(Guid.Parse(r.NoteId), r.Hlc, r.SiteId)));
        foreach (var site in outcome.Sites)
        {
            Assert.Equal(keys, Sorted(site.Revisions));
            Assert.Equal(rows, site.Notes);
            Assert.Equal(conflicts, site.Conflicts);
            Assert.Equal(Winners(outcome.PropertyWrites), site.Properties);
        }
        Assert.All(outcome.Revisions.Where(r => r.Parents.Count > 0), revision =>
            Assert.All(revision.Parents, p => Assert.True(revision.Hlc > p.Hlc, "an edit must come after what it replaced")));
    }

    private static RevisionKey[] Sorted(IEnumerable<RevisionKey> keys) =>
        keys.OrderBy(k => k.NoteId).ThenBy(k => k.Hlc).ThenBy(k => k.SiteId, StringComparer.Ordinal).ToArray();

    /// <summary>The property rule stated plainly: each register holds its greatest write by (HLC, site, value).</summary>
    private static PropertyChange[] Winners(IEnumerable<PropertyChange> writes) => writes
        .GroupBy(w => (w.EntityId, w.Name))
        .Select(g => g.OrderByDescending(w => w.Hlc).ThenByDescending(w => w.SiteId, StringComparer.Ordinal).ThenByDescending(w => w.Value, StringComparer.Ordinal).First())
        .OrderBy(w => w.EntityId, StringComparer.Ordinal).ThenBy(w => w.Name, StringComparer.Ordinal)
        .ToArray();

    private static void Deliver(Random random, List<(SimulatedSite To, ChangeSet File)> inFlight)
    {
        var index = random.Next(inFlight.Count);
        var (to, file) = inFlight[index];
        inFlight.RemoveAt(index);
        // As the importer merges a file: in parts, in order; one cut short by a crash comes again whole.
        var parts = file.Parts(random.Next(1, 4) * 200);
        var applied = random.Next(8) == 0 ? random.Next(parts.Count) : parts.Count;
        foreach (var part in parts.Take(applied))
        {
            to.Apply(part);
        }
        if (applied < parts.Count)
        {
            inFlight.Add((to, file));
        }
    }

    /// <summary>
    /// The merge rule stated plainly: heads are revisions nobody replaced, ranked live first, then
    /// by (HLC, site), greatest first. The first head is the winner; the rest are its conflicts,
    /// counted on the row only when the winner is live.
    /// </summary>
    private static (NoteRow[] Rows, (Guid, NoteVersion)[] Conflicts) ReferenceModel(IReadOnlyList<NoteRevision> all)
    {
        var replaced = all.SelectMany(r => r.Parents.Select(p => (r.NoteId, p.Hlc, p.SiteId))).ToHashSet();
        var notes = all.GroupBy(r => Guid.Parse(r.NoteId))
            .Select(note => (Id: note.Key, Heads: note
                .Where(r => !replaced.Contains((r.NoteId, r.Hlc, r.SiteId)))
                .OrderBy(r => r.Deleted).ThenByDescending(r => r.Hlc).ThenByDescending(r => r.SiteId, StringComparer.Ordinal)
                .ToArray()))
            .OrderBy(n => n.Id.ToString("D"), StringComparer.Ordinal)
            .ToArray();
        var rows = notes.Select(n =>
        {
            var winner = n.Heads[0];
            return new NoteRow(n.Id, winner.Title, winner.Body, winner.Version, winner.CreatedAt, winner.UpdatedAt, winner.Hlc, winner.SiteId,
                winner.Deleted, winner.Deleted ? 0 : n.Heads.Length - 1);
        }).ToArray();
        // Conflicts are listed newest first, whether live or deleted.
        var conflicts = notes.SelectMany(n => n.Heads.Skip(1).OrderByDescending(r => r.Hlc).ThenByDescending(r => r.SiteId, StringComparer.Ordinal).Select(loser => (n.Id, new NoteVersion(
            loser.Id.ToString(), loser.SiteId, loser.Version, loser.Title, loser.Body, loser.Deleted, DateTimeOffset.FromUnixTimeMilliseconds(loser.UpdatedAt))))).ToArray();
        return (rows, conflicts);
    }

    private static string RandomSiteId(Random random) => Convert.ToHexStringLower(RandomBytes(random));

    private static Guid RandomNoteId(Random random) => new(RandomBytes(random));

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed class SimulatedSite : IDisposable
    {
        private readonly InMemorySqlite _db = new();
        private readonly List<NoteRevision> _unsent = [];
        private readonly List<PropertyChange> _unsentWrites = [];
        private static readonly string[] TagChoices = ["Work", "work", "home", "Ideas", "to do"];
        private readonly string _siteId;
        private readonly HybridLogicalClock _clock;

        public SimulatedSite(string siteId, DateTimeOffset now)
        {
            _siteId = siteId;
            Time = new ManualTime(now);
            _clock = new HybridLogicalClock(Time);
        }

        public ManualTime Time { get; }

        /// <summary>Every revision this site made, for its snapshots.</summary>
        public List<NoteRevision> Own { get; } = [];

        /// <summary>What a user of this site might do next, made the way the API makes it.</summary>
        public NoteRevision? MakeRandomEdit(Random random)
        {
            var live = _db.Query(NoteSql.All).Where(n => !n.Deleted).ToArray();
            var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var choice = live.Length == 0 ? 0 : random.Next(5);
            NoteRevision revision;
            if (choice == 0)
            {
                revision = new NoteRevision(RandomNoteId(random).ToString("D"), _clock.Next(), _siteId, [], 1, $"new {random.Next(1000)}", "", false, now, now);
            }
            else
            {
                var note = live[random.Next(live.Length)];
                var parents = new List<ParentRef> { new(note.Hlc, note.SiteId) };
                var deleted = choice == 4;
                if (choice == 3 || deleted)
                {
                    // Resolving conflicts, or deleting, settles every head this site can see.
                    parents.AddRange(_db.Query(RevisionSql.Conflicts(note.Id)).Select(c => ParentRef.Of(RevisionId.Parse(c.Revision))));
                }
                revision = new NoteRevision(
                    note.Id.ToString("D"), _clock.Next(after: parents.Max(p => p.Hlc)), _siteId, parents, note.Version + 1,
                    deleted ? note.Title : $"edit {random.Next(1000)}", deleted ? note.Body : $"at {_siteId[..4]}", deleted, note.CreatedAt, Math.Max(now, note.UpdatedAt));
            }
            Apply(ChangeSet.Of([revision]));
            Own.Add(revision);
            _unsent.Add(revision);
            return revision;
        }

        /// <summary>
        /// A person organizing: tagging or untagging a note, pinning it, moving it to a notebook,
        /// or making, renaming, moving or deleting a notebook, as the API writes it.
        /// </summary>
        public PropertyChange[] MakeRandomPropertyWrites(Random random)
        {
            var notes = _db.Query(NoteSql.All);
            var notebooks = _db.Query(OrganizationSql.Notebooks);
            var hlc = _clock.Next();
            string Note() => notes[random.Next(notes.Count)].Id.ToString("D");
            string Notebook() => notebooks[random.Next(notebooks.Count)].Id;
            PropertyChange Write(string entity, string name, string value) => new(entity, name, value, hlc, _siteId);
            PropertyChange[] writes = random.Next(7) switch
            {
                0 when notes.Count > 0 && TagChoices[random.Next(TagChoices.Length)] is var tag =>
                    [Write(Note(), Properties.TagName(tag), random.Next(3) == 0 ? "" : tag)],
                1 when notes.Count > 0 => [Write(Note(), Properties.Pinned, random.Next(2) == 0 ? Properties.Set : "")],
                2 when notes.Count > 0 && notebooks.Count > 0 => [Write(Note(), Properties.Notebook, random.Next(4) == 0 ? "" : Notebook())],
                3 when notebooks.Count > 0 => [Write(Notebook(), Properties.NotebookName, $"renamed {random.Next(100)}")],
                4 when notebooks.Count > 1 => [Write(Notebook(), Properties.NotebookParent, random.Next(3) == 0 ? "" : Notebook())],
                5 when notebooks.Count > 0 => [Write(Notebook(), Properties.NotebookDeleted, Properties.Set)],
                _ => NewNotebook(RandomNoteId(random).ToString("D")),
            };
            PropertyChange[] NewNotebook(string id) => [Write(id, Properties.NotebookName, $"notebook {random.Next(100)}"), Write(id, Properties.NotebookParent, "")];
            Apply(new ChangeSet([], writes));
            _unsentWrites.AddRange(writes);
            return writes;
        }

        public ChangeSet TakeUnsent()
        {
            var file = new ChangeSet(_unsent.ToArray(), _unsentWrites.ToArray());
            _unsent.Clear();
            _unsentWrites.Clear();
            return file;
        }

        /// <summary>
        /// Everything the site made, and its own winning property writes, read as the exporter
        /// reads them; replaced revisions past each note's two newest go without their body.
        /// </summary>
        public ChangeSet Snapshot() => new(
            _db.Query(RevisionSql.Snapshot(_siteId, 0, long.MaxValue, int.MaxValue, keepVersions: 2, keepSinceHlc: long.MaxValue)).Select(r => r.Revision).ToArray(),
            _db.Query(PropertySql.Since(_siteId, 0, long.MaxValue, int.MaxValue)).Select(p => p.Change).ToArray());

        public long Pruned => _db.Query(RevisionSql.PrunedCount);

        public void Apply(ChangeSet changes) => _db.Execute(SyncLedgerSql.Merge(changes));

        public SiteState State()
        {
            // The search index and the label tables follow every merge inside its transaction, or these fail.
            _db.Execute(NoteSql.CheckSearchIndex);
            Assert.Equal(0, _db.Query(OrganizationSql.LabelMismatches));
            var notes = _db.Query(NoteSql.All);
            return new SiteState(notes, _db.Query(RevisionSql.Keys), notes.SelectMany(n => _db.Query(RevisionSql.Conflicts(n.Id)).Select(c => (n.Id, c))).ToArray(),
                _db.Query(PropertySql.All), Pruned);
        }

        public void Dispose() => _db.Dispose();
    }
}
