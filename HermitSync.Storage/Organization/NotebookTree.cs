namespace HermitSync.Storage;

/// <summary>
/// The notebooks as a tree, from what the registers hold. A notebook sits under its nearest
/// parent that is not deleted; one whose chain of parents loops (two sites moved each under the
/// other at once) sits at the top, so every site draws the same tree from the same registers.
/// A note whose notebook was deleted shows in the nearest one left above it, or in none: a
/// deleted notebook takes no note with it.
/// </summary>
public sealed class NotebookTree
{
    private readonly Dictionary<string, NotebookRow> _all;

    public NotebookTree(IEnumerable<NotebookRow> rows)
    {
        _all = rows.ToDictionary(r => r.Id);
        var children = _all.Values
            .Where(n => !n.Deleted)
            .GroupBy(n => ParentOf(n.Id))
            .ToDictionary(g => g.Key ?? "", g => g.OrderBy(n => n.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(n => n.Id, StringComparer.Ordinal).ToArray());
        var entries = new List<NotebookEntry>();
        // Returns how many notes the notebooks it listed hold, theirs and their notebooks'.
        long Walk(string parent, int depth)
        {
            long total = 0;
            foreach (var notebook in children.GetValueOrDefault(parent, []))
            {
                var at = entries.Count;
                entries.Add(null!);
                var notes = notebook.Notes + DeletedBelow(notebook.Id) + Walk(notebook.Id, depth + 1);
                entries[at] = new NotebookEntry(notebook.Id, notebook.Name, parent.Length == 0 ? null : parent, depth, notes);
                total += notes;
            }
            return total;
        }
        Walk("", 0);
        Entries = entries;
    }

    /// <summary>The notebooks that are not deleted, depth first, each level by name.</summary>
    public IReadOnlyList<NotebookEntry> Entries { get; }

    /// <summary>Whether <paramref name="id"/> is a notebook that is not deleted.</summary>
    public bool IsLive(string id) => _all.TryGetValue(id, out var notebook) && !notebook.Deleted;

    /// <summary>Where a note put in notebook <paramref name="id"/> shows: it, or its nearest live ancestor; null for none.</summary>
    public string? Resolve(string? id) => id is null || Loops(id) ? null : Chain(id).FirstOrDefault(IsLive);

    /// <summary>The names from the top down to where a note put in notebook <paramref name="id"/> shows; empty for none.</summary>
    public IReadOnlyList<string> PathOf(string? id)
    {
        var names = new List<string>();
        for (var at = Resolve(id); at is not null; at = ParentOf(at))
        {
            names.Add(_all[at].Name);
        }
        names.Reverse();
        return names;
    }

    /// <summary>Whether <paramref name="id"/> is <paramref name="ancestor"/> or lies inside it: moving a notebook there would loop.</summary>
    public bool IsWithin(string id, string ancestor) => id == ancestor || (!Loops(id) && Chain(id).Contains(ancestor));

    private string? ParentOf(string id) => Loops(id) ? null : Chain(id).Skip(1).FirstOrDefault(IsLive);

    /// <summary>A notebook and its ancestors, as far as they are known, stopping before any repeat.</summary>
    private IEnumerable<string> Chain(string id)
    {
        var seen = new HashSet<string>();
        for (string? current = id; current is not null && seen.Add(current); current = _all.TryGetValue(current, out var row) ? row.ParentId : null)
        {
            yield return current;
        }
    }

    private bool Loops(string id)
    {
        var last = Chain(id).Last();
        return _all.TryGetValue(last, out var row) && row.ParentId is { } parent && Chain(id).Contains(parent);
    }

    /// <summary>Notes of deleted notebooks that show in this one.</summary>
    private long DeletedBelow(string id) =>
        _all.Values.Where(n => n.Deleted && n.Notes > 0 && Resolve(n.Id) == id).Sum(n => n.Notes);
}

/// <summary>A notebook as a list shows it: under <see cref="ParentId"/> (null at the top), <see cref="Depth"/> levels down, with how many notes show in it and in the notebooks inside it.</summary>
public sealed record NotebookEntry(string Id, string Name, string? ParentId, int Depth, long Notes);
