using HermitSync.Api.Schema;
using HermitSync.Rqlite;
using HermitSync.Sync;
using Microsoft.Data.Sqlite;

namespace HermitSync.UnitTests.Sync;

/// <summary>
/// Simulated sites run the real merge SQL on real SQLite (the engine inside rqlite), make
/// random creates, edits, deletes and resolutions, with skewed clocks, and exchange their
/// files in random order, duplicated and delayed. After full delivery every site must hold
/// identical tables, and the winner and conflicts of every note must be what the merge rule
/// says for the set of all revisions.
/// </summary>
public sealed class ConvergenceTests
{
    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 300).Select(seed => new object[] { seed });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Sites_converge_under_any_delivery_order_and_keep_every_losing_edit(int seed) => Simulate(seed);

    [Fact]
    public void The_simulation_really_produces_conflicts_deletes_and_resurrections()
    {
        var outcomes = Enumerable.Range(1, 60).Select(Simulate).ToArray();

        Assert.True(outcomes.Sum(o => o.Conflicts) > 20, "too few conflicts to test anything");
        Assert.True(outcomes.Sum(o => o.Tombstones) > 10, "too few deletes");
        Assert.True(outcomes.Sum(o => o.DeletesOutvoted) > 0, "no delete ever lost to a concurrent edit");
    }

    private static (int Conflicts, int Tombstones, int DeletesOutvoted) Simulate(int seed)
    {
        var random = new Random(seed);
        var start = DateTimeOffset.Parse("2026-11-26T12:00:00Z");
        var sites = Enumerable.Range(0, random.Next(2, 5))
            // One site's clock may be an hour behind or ahead.
            .Select(i => new SimulatedSite(start.AddMinutes(i == 0 ? random.Next(-60, 61) : 0)))
            .ToArray();
        var inFlight = new List<(SimulatedSite To, NoteRevision[] File)>();
        var all = new List<NoteRevision>();

        for (var step = 0; step < random.Next(20, 80); step++)
        {
            var site = sites[random.Next(sites.Length)];
            site.Time.Now += TimeSpan.FromMilliseconds(random.Next(0, 2000));
            if (random.Next(4) == 0 && inFlight.Count > 0)
            {
                Deliver(random, inFlight);
                continue;
            }
            var revision = site.MakeRandomEdit(random);
            if (revision is null)
            {
                continue;
            }
            all.Add(revision);
            foreach (var peer in sites.Where(s => s != site))
            {
                inFlight.Add((peer, [revision]));
                if (random.Next(5) == 0)
                {
                    inFlight.Add((peer, [revision]));
                }
            }
        }
        while (inFlight.Count > 0)
        {
            Deliver(random, inFlight);
        }

        var expected = ReferenceModel(all);
        foreach (var site in sites)
        {
            Assert.Equal(expected, site.Notes());
            foreach (var revision in all.Where(r => r.Parents.Count > 0))
            {
                Assert.All(revision.Parents, p => Assert.True(revision.Hlc > p.Hlc, "an edit must come after what it replaced"));
            }
        }
        var conflicts = sites[0].Conflicts();
        Assert.All(sites.Skip(1), s => Assert.Equal(conflicts, s.Conflicts()));
        foreach (var site in sites)
        {
            site.Dispose();
        }
        return (conflicts.Length, expected.Count(r => r.Contains("|True|")), conflicts.Count(c => c.EndsWith("|deleted", StringComparison.Ordinal)));
    }

    private static void Deliver(Random random, List<(SimulatedSite To, NoteRevision[] File)> inFlight)
    {
        var index = random.Next(inFlight.Count);
        var (to, file) = inFlight[index];
        inFlight.RemoveAt(index);
        to.Apply(file);
    }

    /// <summary>The merge rule stated plainly: heads are revisions nobody replaced; the winner is the live head with the greatest (HLC, site).</summary>
    private static string[] ReferenceModel(IReadOnlyList<NoteRevision> all)
    {
        var replaced = all.SelectMany(r => r.Parents.Select(p => (r.NoteId, p.Hlc, p.SiteId))).ToHashSet();
        return all.GroupBy(r => r.NoteId)
            .Select(note =>
            {
                var heads = note.Where(r => !replaced.Contains((r.NoteId, r.Hlc, r.SiteId))).ToArray();
                var winner = heads.OrderBy(r => r.Deleted).ThenByDescending(r => r.Hlc).ThenByDescending(r => r.SiteId, StringComparer.Ordinal).First();
                var conflicts = winner.Deleted ? 0 : heads.Length - 1;
                return Row(winner.NoteId, winner.Title, winner.Body, winner.Version, winner.Hlc, winner.SiteId, winner.Deleted, conflicts);
            })
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private static string Row(string id, string title, string body, long version, long hlc, string site, bool deleted, long conflicts) =>
        $"{id}|{title}|{body}|{version}|{hlc}|{site}|{deleted}|{conflicts}";

    private sealed class SimulatedSite : IDisposable
    {
        private readonly SqliteConnection _db = new("Data Source=:memory:");
        private readonly HybridLogicalClock _clock;
        private readonly string _siteId = SiteIds.New();

        public SimulatedSite(DateTimeOffset now)
        {
            Time = new ManualTime(now);
            _clock = new HybridLogicalClock(Time);
            _db.Open();
            foreach (var migration in Migrations.All)
            {
                foreach (var sql in migration.Statements)
                {
                    Execute(SqlStatement.Of(sql));
                }
            }
        }

        public ManualTime Time { get; }

        /// <summary>What a user of this site might do next, made the way the API makes it.</summary>
        public NoteRevision? MakeRandomEdit(Random random)
        {
            var live = Query("SELECT id, hlc, site_id, version, created_at, title, body FROM notes WHERE deleted = 0 ORDER BY id");
            var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var choice = live.Count == 0 ? 0 : random.Next(5);
            if (choice == 0)
            {
                var revision = new NoteRevision(Guid.NewGuid().ToString(), _clock.Next(), _siteId, [], 1, $"new {random.Next(1000)}", "", false, now, now);
                Apply([revision]);
                return revision;
            }

            var note = live[random.Next(live.Count)];
            var parents = new List<ParentRef> { new((long)note[1], (string)note[2]) };
            var deleted = choice == 4;
            if (choice == 3 || deleted)
            {
                // Resolving conflicts, or deleting, settles every head this site can see.
                parents.AddRange(Query(RevisionSql.SelectConflicts((string)note[0])).Select(c => new ParentRef((long)c[1], (string)c[2])));
            }
            var edit = new NoteRevision(
                (string)note[0], _clock.Next(after: parents.Max(p => p.Hlc)), _siteId, parents, (long)note[3] + 1,
                deleted ? (string)note[5] : $"edit {random.Next(1000)}", deleted ? (string)note[6] : $"at {_siteId[..4]}", deleted, (long)note[4], now);
            Apply([edit]);
            return edit;
        }

        public void Apply(NoteRevision[] revisions)
        {
            using var transaction = _db.BeginTransaction();
            foreach (var statement in RevisionSql.Merge(revisions))
            {
                Execute(statement);
            }
            transaction.Commit();
        }

        public string[] Notes() => Query("SELECT id, title, body, version, hlc, site_id, deleted, conflicts FROM notes")
            .Select(r => Row((string)r[0], (string)r[1], (string)r[2], (long)r[3], (long)r[4], (string)r[5], (long)r[6] == 1, (long)r[7]))
            .Order(StringComparer.Ordinal)
            .ToArray();

        public string[] Conflicts() => Query("SELECT id FROM notes ORDER BY id")
            .SelectMany(n => Query(RevisionSql.SelectConflicts((string)n[0])).Select(c => $"{c[0]}|{c[1]}|{c[2]}|{((long)c[6] == 1 ? "deleted" : "live")}"))
            .ToArray();

        private List<object[]> Query(string sql) => Query(SqlStatement.Of(sql));

        private List<object[]> Query(SqlStatement statement)
        {
            using var command = Command(statement);
            using var reader = command.ExecuteReader();
            var rows = new List<object[]>();
            while (reader.Read())
            {
                var row = new object[reader.FieldCount];
                reader.GetValues(row);
                rows.Add(row);
            }
            return rows;
        }

        private void Execute(SqlStatement statement)
        {
            using var command = Command(statement);
            command.ExecuteNonQuery();
        }

        private SqliteCommand Command(SqlStatement statement)
        {
            var command = _db.CreateCommand();
            command.CommandText = statement.Sql;
            foreach (var (name, value) in statement.NamedParameters ?? new Dictionary<string, SqlValue>())
            {
                command.Parameters.AddWithValue($":{name}", value.ToObject() ?? DBNull.Value);
            }
            Assert.Empty(statement.Parameters);
            return command;
        }

        public void Dispose() => _db.Dispose();
    }
}
