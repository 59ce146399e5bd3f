using HermitSync.Api.Sync;
using HermitSync.Rqlite;
using HermitSync.Storage;

namespace HermitSync.Api.Organization;

/// <summary>
/// Puts notes in notebooks, tags and pins them, and keeps the notebooks. Each change writes only
/// the registers it changes, stamped later than what they hold, so a change made here wins
/// over what it replaced and leaves alone what it did not touch: a tag added here and one
/// removed elsewhere at the same time both stand.
/// </summary>
public sealed class OrganizationStore(RqliteClient rqlite, SiteIdentity site, HybridLogicalClock clock, ExportHints hints)
{
    public async Task<NotebookTree> NotebooksAsync(CancellationToken cancellationToken) =>
        new(await rqlite.QueryOrStaleAsync(OrganizationSql.Notebooks, cancellationToken));

    public Task<IReadOnlyList<TagCount>> TagsAsync(CancellationToken cancellationToken) =>
        rqlite.QueryOrStaleAsync(OrganizationSql.Tags, cancellationToken);

    /// <summary>Writes what differs between a note's labels and <paramref name="wanted"/>; a part left null stays as it is.</summary>
    public async Task WriteLabelsAsync(Guid noteId, NoteLabels current, string? notebookId, bool? pinned, IReadOnlyList<string>? tags, CancellationToken cancellationToken)
    {
        var changes = new List<(string Name, string Value)>();
        if (notebookId is not null && notebookId != (current.NotebookId ?? ""))
        {
            changes.Add((Properties.Notebook, notebookId));
        }
        if (pinned is { } pin && pin != current.Pinned)
        {
            changes.Add((Properties.Pinned, pin ? Properties.Set : ""));
        }
        if (tags is not null)
        {
            var wanted = tags.Select(t => t.Trim()).DistinctBy(Properties.TagKey).ToDictionary(Properties.TagName);
            changes.AddRange(current.Tags.Where(t => !wanted.ContainsKey(Properties.TagName(t))).Select(t => (Properties.TagName(t), "")));
            changes.AddRange(wanted.Where(w => !current.Tags.Contains(w.Value)).Select(w => (w.Key, w.Value)));
        }
        await WriteAsync(noteId, changes, cancellationToken);
    }

    public async Task<string> CreateNotebookAsync(string name, string? parentId, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await WriteAsync(id, [(Properties.NotebookName, name.Trim()), (Properties.NotebookParent, parentId ?? "")], cancellationToken);
        return id.ToString("D");
    }

    /// <summary>
    /// The notebook at a path of names from the top, as an import names it: each level the
    /// notebook of that name (case aside) under the one above, made where there is none.
    /// </summary>
    public async Task<string> NotebookAtAsync(IReadOnlyList<string> path, CancellationToken cancellationToken)
    {
        var entries = (await NotebooksAsync(cancellationToken)).Entries;
        string? parent = null;
        foreach (var name in path)
        {
            var parentId = parent;
            parent = entries.FirstOrDefault(e => e.ParentId == parentId && string.Equals(e.Name, name, StringComparison.CurrentCultureIgnoreCase))?.Id
                ?? await CreateNotebookAsync(name, parentId, cancellationToken);
        }
        return parent ?? throw new ArgumentException("A notebook's path names at least one notebook.", nameof(path));
    }

    public Task RenameNotebookAsync(Guid id, string name, CancellationToken cancellationToken) =>
        WriteAsync(id, [(Properties.NotebookName, name.Trim())], cancellationToken);

    public Task MoveNotebookAsync(Guid id, string? parentId, CancellationToken cancellationToken) =>
        WriteAsync(id, [(Properties.NotebookParent, parentId ?? "")], cancellationToken);

    /// <summary>Marks a notebook deleted; its notes and notebooks show in the nearest one above it.</summary>
    public Task DeleteNotebookAsync(Guid id, CancellationToken cancellationToken) =>
        WriteAsync(id, [(Properties.NotebookDeleted, Properties.Set)], cancellationToken);

    private async Task WriteAsync(Guid entityId, IReadOnlyList<(string Name, string Value)> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            return;
        }
        // Later than whatever the registers hold, however far ahead the clock that wrote it ran.
        var registers = await rqlite.QueryAsync(OrganizationSql.Registers(entityId), ReadConsistency.Weak, cancellationToken);
        var after = registers.Select(r => r.Hlc).DefaultIfEmpty(0).Max();
        var writes = changes.Select(c => new PropertyChange(entityId.ToString("D"), c.Name, c.Value, after = clock.Next(after), site.SiteId)).ToArray();
        await rqlite.ExecuteAsync(PropertySql.Merge(writes), idempotent: true, cancellationToken);
        hints.Written();
    }
}
