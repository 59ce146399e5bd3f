using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// The properties there are, and what their values may be. A note has a notebook, a pin and any
/// number of tags, each tag its own property (<c>note.tag:</c> and the tag's key), so a tag added
/// on two sites at once is one property written twice, and adding one tag never touches another.
/// A notebook has a name, a parent and a deleted mark.
/// </summary>
public static class Properties
{
    public const string Notebook = "note.notebook";
    public const string Pinned = "note.pinned";
    public const string TagPrefix = "note.tag:";
    public const string NotebookName = "notebook.name";
    public const string NotebookParent = "notebook.parent";
    public const string NotebookDeleted = "notebook.deleted";

    /// <summary>The value of a mark that is set; an empty value is one removed.</summary>
    public const string Set = "1";

    public const int MaxTagLength = 64;
    public const int MaxTagsPerNote = 64;
    public const int MaxNotebookNameLength = 100;

    /// <summary>A tag's key: what makes two spellings one tag ("Rust" and "rust").</summary>
    public static string TagKey(string tag) => tag.Trim().Normalize(NormalizationForm.FormC).ToLowerInvariant();

    public static string TagName(string tag) => TagPrefix + TagKey(tag);

    /// <summary>What is wrong with a tag a person typed, or null.</summary>
    public static string? CheckTag(string? tag)
    {
        var trimmed = tag?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "A tag cannot be empty.";
        }
        if (trimmed.EnumerateRunes().Count() > MaxTagLength)
        {
            return $"A tag may have at most {MaxTagLength} characters.";
        }
        if (trimmed.Any(RefusedInTag))
        {
            return "A tag may not hold a comma, a double quote or a control character.";
        }
        return null;
    }

    /// <summary>What is wrong with a notebook's name, or null.</summary>
    public static string? CheckNotebookName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "A notebook needs a name.";
        }
        if (trimmed.EnumerateRunes().Count() > MaxNotebookNameLength)
        {
            return $"A notebook's name may have at most {MaxNotebookNameLength} characters.";
        }
        if (trimmed.Any(RefusedInNotebookName))
        {
            return "A notebook's name may not hold a double quote or a control character.";
        }
        return null;
    }

    /// <summary>A comma separates tags where people type them; a double quote ends a filter's value.</summary>
    public static bool RefusedInTag(char c) => char.IsControl(c) || c is ',' or '"';

    public static bool RefusedInNotebookName(char c) => char.IsControl(c) || c == '"';

    /// <summary>
    /// What is wrong with a property write from another site, or null when it may be merged:
    /// the rules a write made here obeys, as for revisions.
    /// </summary>
    public static string? Check(PropertyChange change, DateTimeOffset now, TimeSpan maxClockAhead)
    {
        if (change.EntityId is null || change.Name is null || change.Value is null || change.SiteId is null)
        {
            return "a property write with a missing field";
        }
        if (!IsId(change.EntityId))
        {
            return "a property write of an entity whose id is not a lower-case UUID";
        }
        if (!SiteIds.IsValid(change.SiteId))
        {
            return "a property write with a malformed site id";
        }
        if (change.Hlc < 0 || !RevisionRules.InRange(HybridLogicalClock.Physical(change.Hlc), now, maxClockAhead))
        {
            return $"a property write with a clock stamp outside {RevisionRules.Earliest:yyyy-MM-dd} to {maxClockAhead.TotalHours:0} hours from now";
        }
        var value = change.Value;
        var valid = change.Name switch
        {
            Notebook or NotebookParent => value.Length == 0 || IsId(value),
            Pinned or NotebookDeleted => value is "" or Set,
            NotebookName => CheckNotebookName(value) is null && value == value.Trim(),
            _ when change.Name.StartsWith(TagPrefix, StringComparison.Ordinal) =>
                CheckTag(change.Name[TagPrefix.Length..]) is null && (value.Length == 0 || (CheckTag(value) is null && TagName(value) == change.Name)),
            _ => false,
        };
        return valid ? null : $"a property write that breaks the rules of {Shorten(change.Name)}";
    }

    private static bool IsId(string text) => Guid.TryParseExact(text, "D", out var id) && text == id.ToString("D");

    private static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..40]}…";
}
