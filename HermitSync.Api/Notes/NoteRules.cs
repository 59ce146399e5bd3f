using System.Text;

namespace HermitSync.Api.Notes;

/// <summary>The limits a note must respect, checked before anything reaches rqlite.</summary>
public static class NoteRules
{
    public const int MaxTitleLength = 200;
    public const int MaxBodyBytes = 1024 * 1024;
    public const int ExcerptLength = 200;

    /// <summary>Room for a maximal body after JSON escaping, and the title.</summary>
    public const long MaxRequestBytes = 8L * MaxBodyBytes;

    public static NoteRuleViolation? Check(string? title, string? body)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return new(StatusCodes.Status400BadRequest, "title", "A note needs a title.");
        }
        if (title.EnumerateRunes().Count() > MaxTitleLength)
        {
            return new(StatusCodes.Status400BadRequest, "title", $"A title may have at most {MaxTitleLength} characters.");
        }
        if (body is null)
        {
            return new(StatusCodes.Status400BadRequest, "body", "A note needs a body, even an empty one.");
        }
        if (Encoding.UTF8.GetByteCount(body) > MaxBodyBytes)
        {
            return new(StatusCodes.Status413PayloadTooLarge, "body", $"A body may be at most {MaxBodyBytes / 1024} KiB of UTF-8.");
        }
        return null;
    }
}

public sealed record NoteRuleViolation(int StatusCode, string Field, string Message)
{
    public IResult ToProblem() => Results.ValidationProblem(
        new Dictionary<string, string[]> { [Field] = [Message] },
        statusCode: StatusCode,
        title: StatusCode == StatusCodes.Status413PayloadTooLarge ? "The note is too large." : "The note is not valid.");
}
