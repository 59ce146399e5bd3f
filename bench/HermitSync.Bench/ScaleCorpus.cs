using System.Text;
using HermitSync.Storage;

namespace HermitSync.Bench;

/// <summary>
/// The 100,000-note corpus of the scale benchmarks, the same every run from one seed: words made
/// of syllables, a few very common and most rare; bodies of about 1 KB, one in a hundred of
/// 100 KB; one note in ten edited ten times; 20 notebooks (5 with 3 inside each), 200 tags,
/// each note in a notebook with up to three tags, one in a hundred pinned.
/// </summary>
internal sealed class ScaleCorpus(int seed)
{
    public const int Notes = 100_000;
    public const int EditsOfEditedNotes = 10;
    public const int NotebookCount = 20;
    public const int TagCount = 200;

    /// <summary>A word put into exactly ten notes: a search for something specific.</summary>
    public const string RareWord = "zephyrquill";

    public static readonly string[] Syllables = ["ka", "lo", "mi", "ren", "tas", "vo", "pel", "dun", "sar", "qui", "bel", "tor", "nix", "aum", "ely", "gro"];

    private readonly Random _random = new(seed);
    private readonly string[] _words = Words().ToArray();
    private readonly string[] _notebooks = Enumerable.Range(0, NotebookCount).Select(i => new Guid(i + 1, 0, 0, new byte[8]).ToString("D")).ToArray();

    /// <summary>The word most notes hold: the head of the skewed draw.</summary>
    public string CommonWord => _words[0];

    /// <summary>The tag on about one note in a hundred: a list a person filters to.</summary>
    public static string MidTag => Tag(20);

    /// <summary>The least used tag: on about 0.3% of notes.</summary>
    public static string RareTag => Tag(TagCount - 1);

    public static string NotebookName(int i) => $"Notebook {i:00}";

    public static string Tag(int i) => $"tag{i:000}";

    /// <summary>The notes as revisions of <paramref name="siteId"/>, and each note's notebook, tags and pin as that site's property writes, in batches.</summary>
    public IEnumerable<ChangeSet> Batches(string siteId, int notesPerBatch)
    {
        var clock = new HybridLogicalClock(TimeProvider.System);
        var notebooks = _notebooks.SelectMany((id, i) => new[]
        {
            new PropertyChange(id, Properties.NotebookName, NotebookName(i), clock.Next(), siteId),
            new PropertyChange(id, Properties.NotebookParent, i < 5 ? "" : _notebooks[(i - 5) / 3], clock.Next(), siteId),
        }).ToArray();
        yield return new ChangeSet([], notebooks);
        foreach (var batch in Generate(siteId, clock).Chunk(notesPerBatch))
        {
            yield return new ChangeSet(batch.SelectMany(n => n.Revisions).ToArray(), batch.SelectMany(n => n.Labels).ToArray());
        }
    }

    /// <summary>
    /// <paramref name="count"/> notes more, newer than the whole corpus and in a notebook of their
    /// own: what an import adds after years of notes, and what another notebook's list must not
    /// read through.
    /// </summary>
    public IEnumerable<ChangeSet> Imported(string siteId, int count, int notesPerBatch)
    {
        var clock = new HybridLogicalClock(TimeProvider.System);
        var notebook = new Guid(NotebookCount + 1, 0, 0, new byte[8]).ToString("D");
        yield return new ChangeSet([], [new(notebook, Properties.NotebookName, ImportNotebookName, clock.Next(), siteId), new(notebook, Properties.NotebookParent, "", clock.Next(), siteId)]);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var batch in Enumerable.Range(0, count).Chunk(notesPerBatch))
        {
            var revisions = batch.Select(i => new NoteRevision(Guid.CreateVersion7().ToString(), clock.Next(), siteId, [], 1, $"Imported {i}", ImportedBody(i), false, now + i, now + i)).ToArray();
            yield return new ChangeSet(revisions, [.. revisions.Select(r => new PropertyChange(r.NoteId, Properties.Notebook, notebook, clock.Next(), siteId))]);
        }
    }

    public const string ImportNotebookName = "Imported";

    /// <summary>About 1 KB, as the corpus's bodies, in words the corpus never uses: the searches stay a search of the corpus.</summary>
    private static string ImportedBody(int i)
    {
        var words = $"imported note {i} ";
        return string.Concat(Enumerable.Repeat(words, 1_000 / words.Length));
    }

    private IEnumerable<(List<NoteRevision> Revisions, List<PropertyChange> Labels)> Generate(string siteId, HybridLogicalClock clock)
    {
        var start = DateTimeOffset.UtcNow.AddDays(-365).ToUnixTimeMilliseconds();
        for (var i = 0; i < Notes; i++)
        {
            var noteId = Guid.CreateVersion7().ToString();
            var created = start + i * 300_000L;
            var body = Body(length: i % 100 == 99 ? 100_000 : 1_000, rare: i % (Notes / 10) == 0);
            var title = string.Join(' ', Enumerable.Range(0, 4).Select(_ => Word()));
            var revision = new NoteRevision(noteId, clock.Next(), siteId, [], 1, title, body, false, created, created);
            var revisions = new List<NoteRevision> { revision };
            for (var edit = 1; i % 10 == 5 && edit < EditsOfEditedNotes; edit++)
            {
                revision = revision with
                {
                    Hlc = clock.Next(),
                    Parents = [ParentRef.Of(revision.Id)],
                    Version = revision.Version + 1,
                    Body = $"{revision.Body} {Word()}",
                    UpdatedAt = revision.UpdatedAt + 60_000,
                };
                revisions.Add(revision);
            }
            var labels = new List<PropertyChange> { new(noteId, Properties.Notebook, _notebooks[_random.Next(NotebookCount)], clock.Next(), siteId) };
            // Skewed as tags are: a few on many notes, most on few.
            foreach (var tag in Enumerable.Range(0, _random.Next(4)).Select(_ => Tag((int)(TagCount * Math.Pow(_random.NextDouble(), 2)))).Distinct())
            {
                labels.Add(new(noteId, Properties.TagName(tag), tag, clock.Next(), siteId));
            }
            if (i % 100 == 7)
            {
                labels.Add(new(noteId, Properties.Pinned, Properties.Set, clock.Next(), siteId));
            }
            yield return (revisions, labels);
        }
    }

    private string Body(int length, bool rare)
    {
        var body = new StringBuilder(length + 16);
        if (rare)
        {
            body.Append(RareWord).Append(' ');
        }
        while (body.Length < length)
        {
            body.Append(Word()).Append(_random.Next(12) == 0 ? ". " : " ");
        }
        return body.ToString();
    }

    /// <summary>Skewed toward the first words, as real text is: a few words are everywhere, most are rare.</summary>
    private string Word() => _words[(int)(_words.Length * Math.Pow(_random.NextDouble(), 4))];

    private static IEnumerable<string> Words() =>
        from first in Syllables from second in Syllables from third in new[] { "" }.Concat(Syllables) select first + second + third;
}
