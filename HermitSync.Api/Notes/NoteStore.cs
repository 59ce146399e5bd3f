using HermitSync.Rqlite;

namespace HermitSync.Api.Notes;

/// <summary>Reads and writes notes in rqlite. Every statement is parameterized.</summary>
public sealed class NoteStore(RqliteClient rqlite, TimeProvider clock)
{
    private const string Columns = "id, title, body, version, created_at, updated_at";
    private const string SelectById = $"SELECT {Columns} FROM notes WHERE id = ?";

    public async Task<Note?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var result = await rqlite.QueryAsync(SqlStatement.Of(SelectById, Key(id)), ReadConsistency.Weak, cancellationToken);
        return result.Rows.Count == 0 ? null : ReadNote(result.Rows[0]);
    }

    public async Task<NotePage> SearchAsync(string? text, int limit, NoteCursor? after, CancellationToken cancellationToken)
    {
        var pattern = string.IsNullOrWhiteSpace(text) ? null : $"%{EscapeLike(text.Trim())}%";
        var statement = SqlStatement.Named(
            $"""
            SELECT id, title, substr(body, 1, {NoteRules.ExcerptLength}), version, created_at, updated_at FROM notes
            WHERE (:pattern IS NULL OR title LIKE :pattern ESCAPE '\' OR body LIKE :pattern ESCAPE '\')
              AND (:after_time IS NULL OR updated_at < :after_time OR (updated_at = :after_time AND id < :after_id))
            ORDER BY updated_at DESC, id DESC
            LIMIT :limit
            """,
            new Dictionary<string, object?>
            {
                ["pattern"] = pattern,
                ["after_time"] = after?.UpdatedAt,
                ["after_id"] = after is { } cursor ? Key(cursor.Id) : null,
                // One extra row tells whether another page follows.
                ["limit"] = limit + 1,
            });
        var result = await rqlite.QueryAsync(statement, ReadConsistency.Weak, cancellationToken);
        var items = result.Rows.Take(limit).Select(ReadNote)
            .Select(n => new NoteSummary(n.Id, n.Title, Excerpt: n.Body, n.Version, n.CreatedAt, n.UpdatedAt))
            .ToArray();
        var next = result.Rows.Count > limit ? new NoteCursor(items[^1].UpdatedAt.ToUnixTimeMilliseconds(), items[^1].Id).Encode() : null;
        return new NotePage(items, next);
    }

    /// <summary>
    /// Inserts a note unless its id exists. Re-sending the same create is answered with the
    /// stored note, so a client that retries after a timeout never makes a duplicate.
    /// </summary>
    public async Task<CreateOutcome> CreateAsync(Guid id, string title, string body, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var results = await rqlite.RequestAsync(
            [
                SqlStatement.Of(
                    "INSERT INTO notes (id, title, body, version, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO NOTHING",
                    Key(id), title, body, now, now),
                SqlStatement.Of(SelectById, Key(id)),
            ],
            idempotent: true,
            cancellationToken: cancellationToken);
        var stored = ReadNote(results[1].Rows[0]);
        var created = results[0].RowsAffected == 1;
        return created || (stored.Title == title && stored.Body == body && stored.Version == 1)
            ? new CreateOutcome(stored, created ? CreateStatus.Created : CreateStatus.AlreadyExisted)
            : new CreateOutcome(stored, CreateStatus.IdTaken);
    }

    /// <summary>
    /// Applies an edit only if the note is still at <paramref name="expectedVersion"/> (any
    /// version when null). If a retried edit finds its own result already stored, that counts
    /// as success.
    /// </summary>
    public async Task<WriteOutcome> UpdateAsync(Guid id, long? expectedVersion, string title, string body, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var results = await rqlite.RequestAsync(
            [
                SqlStatement.Of(
                    "UPDATE notes SET title = ?, body = ?, updated_at = max(?, updated_at), version = version + 1 WHERE id = ? AND (? IS NULL OR version = ?)",
                    title, body, now, Key(id), expectedVersion, expectedVersion),
                SqlStatement.Of(SelectById, Key(id)),
            ],
            idempotent: true,
            cancellationToken: cancellationToken);
        if (results[1].Rows.Count == 0)
        {
            return new WriteOutcome(null, WriteStatus.NotFound);
        }
        var current = ReadNote(results[1].Rows[0]);
        var applied = results[0].RowsAffected == 1
            || (current.Version == expectedVersion + 1 && current.Title == title && current.Body == body);
        return new WriteOutcome(current, applied ? WriteStatus.Done : WriteStatus.VersionMismatch);
    }

    public async Task<WriteOutcome> DeleteAsync(Guid id, long? expectedVersion, CancellationToken cancellationToken)
    {
        var results = await rqlite.RequestAsync(
            [
                SqlStatement.Of(SelectById, Key(id)),
                SqlStatement.Of("DELETE FROM notes WHERE id = ? AND (? IS NULL OR version = ?)", Key(id), expectedVersion, expectedVersion),
            ],
            idempotent: true,
            cancellationToken: cancellationToken);
        if (results[0].Rows.Count == 0)
        {
            return new WriteOutcome(null, WriteStatus.NotFound);
        }
        var before = ReadNote(results[0].Rows[0]);
        return new WriteOutcome(before, results[1].RowsAffected == 1 ? WriteStatus.Done : WriteStatus.VersionMismatch);
    }

    private static string Key(Guid id) => id.ToString("D");

    private static Note ReadNote(RqliteRow row) => new(
        Guid.Parse(row.GetString(0)),
        row.GetString(1),
        row.GetString(2),
        row.GetInt64(3),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(4)),
        DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(5)));

    internal static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);
}

public enum CreateStatus { Created, AlreadyExisted, IdTaken }

public sealed record CreateOutcome(Note Note, CreateStatus Status);

public enum WriteStatus { Done, NotFound, VersionMismatch }

public sealed record WriteOutcome(Note? Note, WriteStatus Status);
