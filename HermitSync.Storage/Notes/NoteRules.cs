using System.Text;

namespace HermitSync.Storage;

/// <summary>
/// The limits a note must respect, wherever it comes from: the web form, the API, an import
/// or a peer's change file. Lengths are counted in runes, as people count characters.
/// </summary>
public static class NoteRules
{
    public const int MaxTitleLength = 200;
    public const int MaxBodyBytes = 1024 * 1024;
    public const int ExcerptLength = 200;

    /// <summary>Room for a maximal body after JSON escaping, and the title.</summary>
    public const long MaxRequestBytes = 8L * MaxBodyBytes;

    public static NoteRuleViolation? Check(string? title, string? body) => CheckTitle(title) ?? CheckBody(body);

    public static NoteRuleViolation? CheckTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return new("title", "A note needs a title.");
        }
        if (title.EnumerateRunes().Count() > MaxTitleLength)
        {
            return new("title", $"A title may have at most {MaxTitleLength} characters.");
        }
        return null;
    }

    public static NoteRuleViolation? CheckBody(string? body)
    {
        if (body is null)
        {
            return new("body", "A note needs a body, even an empty one.");
        }
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            return new("body", $"A body may be at most {MaxBodyBytes / 1024} KiB of UTF-8.", TooLarge: true);
        }
        return null;
    }
}

/// <summary>What is wrong with a note, and with which field; <see cref="TooLarge"/> when only its size is.</summary>
public sealed record NoteRuleViolation(string Field, string Message, bool TooLarge = false);
