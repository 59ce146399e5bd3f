using HermitSync.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace HermitSync.Api.Notes;

public static class NotesEndpoints
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapNotesEndpoints(this IEndpointRouteBuilder app)
    {
        var notes = app.MapGroup("/api/notes").WithTags("Notes");
        notes.MapGet("/", Search).WithName("SearchNotes");
        notes.MapGet("/{id:guid}", Get).WithName("GetNote");
        notes.MapGet("/titled", Titled).WithName("GetNotesByTitle");
        notes.MapGet("/{id:guid}/backlinks", Backlinks).WithName("GetNoteBacklinks");
        notes.MapPost("/", Create).WithName("CreateNote");
        notes.MapPut("/{id:guid}", Update).WithName("UpdateNote");
        notes.MapDelete("/{id:guid}", Delete).WithName("DeleteNote");
        notes.MapGet("/{id:guid}/conflicts", Conflicts).WithName("GetNoteConflicts");
        notes.MapGet("/{id:guid}/history", History).WithName("GetNoteHistory");
        notes.MapGet("/{id:guid}/revisions/{revision:regex(^[0-9a-f]{{16}}-[0-9a-f]{{32}}$)}", OpenRevision).WithName("GetNoteRevision");
        notes.MapPost("/{id:guid}/restore", Restore).WithName("RestoreNote");
        var trash = app.MapGroup("/api/trash").WithTags("Trash");
        trash.MapGet("/", Trash).WithName("ListTrash");
        return app;
    }

    /// <summary>Notes that match <paramref name="q"/>, best first; with no words to rank by, the latest first.</summary>
    private static async Task<Results<Ok<NotePage>, ProblemHttpResult>> Search(
        NoteStore store, string? q, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!SearchQuery.TryParse(q, out var query, out var unreadable))
        {
            return TypedResults.Problem(unreadable, statusCode: StatusCodes.Status400BadRequest);
        }
        if (query.Ranked)
        {
            return TryReadPage<RankCursor>(limit, cursor, RankCursor.TryDecode, out var size, out var after, out var problem)
                ? TypedResults.Ok(await store.SearchAsync(query, size, after, cancellationToken))
                : problem;
        }
        return TryReadPage<NoteCursor>(limit, cursor, NoteCursor.TryDecode, out var listSize, out var listAfter, out var listProblem)
            ? TypedResults.Ok(await store.ListAsync(query, listSize, listAfter, cancellationToken))
            : listProblem;
    }

    /// <summary>The live notes with this title, case aside: where a <c>[[link]]</c> to it leads.</summary>
    private static async Task<Results<Ok<IReadOnlyList<NoteSummary>>, ProblemHttpResult>> Titled(NoteStore store, string? title, CancellationToken cancellationToken) =>
        NoteRules.CheckTitle(title) is { } violation
            ? TypedResults.Problem(violation.Message, statusCode: StatusCodes.Status400BadRequest)
            : TypedResults.Ok(await store.TitledAsync(title!.Trim(), cancellationToken));

    /// <summary>The live notes that link to this one by its title, the latest edited first.</summary>
    private static async Task<Results<Ok<IReadOnlyList<NoteSummary>>, ProblemHttpResult>> Backlinks(NoteStore store, Guid id, CancellationToken cancellationToken) =>
        await store.GetAsync(id, cancellationToken) is { } note
            ? TypedResults.Ok(await store.LinkingToAsync(note, MaxBacklinks, cancellationToken))
            : NotFound(id);

    /// <summary>A note linked from more places than this lists the latest; a search for its title finds the rest.</summary>
    private const int MaxBacklinks = 200;

    private static async Task<Results<Ok<TrashPage>, ProblemHttpResult>> Trash(NoteStore store, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!TryReadPage<NoteCursor>(limit, cursor, NoteCursor.TryDecode, out var size, out var after, out var problem))
        {
            return problem;
        }
        return TypedResults.Ok(await store.TrashAsync(size, after, cancellationToken));
    }

    private static async Task<Results<Ok<Note>, ProblemHttpResult>> Get(NoteStore store, Guid id, HttpContext http, CancellationToken cancellationToken)
    {
        var note = await store.GetAsync(id, cancellationToken);
        if (note is null)
        {
            return NotFound(id);
        }
        http.Response.Headers.ETag = note.ETag;
        return TypedResults.Ok(note);
    }

    private static async Task<Results<Created<Note>, ProblemHttpResult>> Create(NoteStore store, CreateNoteRequest request, HttpContext http, CancellationToken cancellationToken)
    {
        if (NoteRules.Check(request.Title, request.Body) is { } violation)
        {
            return Invalid(violation);
        }
        var id = request.Id ?? Guid.CreateVersion7();
        var outcome = await store.CreateAsync(id, request.Title!, request.Body!, cancellationToken);
        if (outcome.Status == CreateStatus.IdTaken)
        {
            return TypedResults.Problem($"A different note already has the id {id}.", statusCode: StatusCodes.Status409Conflict);
        }
        http.Response.Headers.ETag = outcome.Note.ETag;
        return TypedResults.Created($"/api/notes/{outcome.Note.Id}", outcome.Note);
    }

    private static async Task<Results<Ok<Note>, ProblemHttpResult>> Update(
        NoteStore store, Guid id, UpdateNoteRequest request, HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryReadIfMatch(http, required: true, out var basedOn, out var problem))
        {
            return problem;
        }
        if (NoteRules.Check(request.Title, request.Body) is { } violation)
        {
            return Invalid(violation);
        }
        var resolves = new List<RevisionId>();
        foreach (var revision in request.Resolves ?? [])
        {
            if (!RevisionId.TryParse(revision, out var resolved))
            {
                return Invalid(new NoteRuleViolation("resolves", $"'{revision}' is not a revision id."));
            }
            resolves.Add(resolved);
        }
        if (basedOn is null)
        {
            // If-Match: * edits whatever is current.
            var current = await store.GetAsync(id, cancellationToken);
            if (current is null)
            {
                return NotFound(id);
            }
            basedOn = RevisionId.Parse(current.Revision);
        }
        var outcome = await store.UpdateAsync(id, basedOn.Value, resolves, request.Title!, request.Body!, cancellationToken);
        switch (outcome.Status)
        {
            case WriteStatus.NotFound:
                return NotFound(id);
            case WriteStatus.VersionMismatch:
                return Stale(outcome.Note!, basedOn.Value);
            default:
                http.Response.Headers.ETag = outcome.Note!.ETag;
                return TypedResults.Ok(outcome.Note);
        }
    }

    private static async Task<Results<Ok<IReadOnlyList<NoteVersion>>, ProblemHttpResult>> Conflicts(NoteStore store, Guid id, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }
        return TypedResults.Ok(await store.ConflictsAsync(id, cancellationToken));
    }

    private static async Task<Results<Ok<NoteHistoryPage>, ProblemHttpResult>> History(
        NoteStore store, Guid id, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!TryReadPage<RevisionId>(limit, cursor, (string? token, out RevisionId revision) => RevisionId.TryParse(token, out revision), out var size, out var after, out var problem))
        {
            return problem;
        }
        var history = await store.HistoryAsync(id, size, after, cancellationToken);
        // Every note has a first revision, so a first page with none means there is no such note.
        return history.Items.Count == 0 && after is null ? NotFound(id) : TypedResults.Ok(history);
    }

    private static async Task<Results<Ok<OpenedRevision>, ProblemHttpResult>> OpenRevision(
        NoteStore store, Guid id, string revision, HttpContext http, CancellationToken cancellationToken)
    {
        if (await store.OpenAsync(id, RevisionId.Parse(revision), cancellationToken) is not { } opened)
        {
            return RevisionNotFound(id, revision);
        }
        http.Response.Headers.ETag = opened.ETag;
        return TypedResults.Ok(opened);
    }

    private static async Task<Results<Ok<Note>, ProblemHttpResult>> Restore(
        NoteStore store, Guid id, RestoreNoteRequest request, HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryReadIfMatch(http, required: true, out var basedOn, out var problem))
        {
            return problem;
        }
        RevisionId? source = null;
        if (request.Revision is not null)
        {
            if (!RevisionId.TryParse(request.Revision, out var parsed))
            {
                return Invalid(new NoteRuleViolation("revision", $"'{request.Revision}' is not a revision id."));
            }
            source = parsed;
        }
        var outcome = await store.RestoreAsync(id, basedOn, source, cancellationToken);
        switch (outcome.Status)
        {
            case WriteStatus.NotFound:
                return source is null ? NotFound(id) : RevisionNotFound(id, request.Revision!);
            case WriteStatus.VersionMismatch:
                return Stale(outcome.Note!, basedOn);
            case WriteStatus.TextNotKept:
                return TypedResults.Problem(
                    $"Revision {request.Revision} reached this site in a snapshot without its text, which is kept only for the latest versions of a note; restore it on a site that holds it.",
                    statusCode: StatusCodes.Status409Conflict);
            default:
                http.Response.Headers.ETag = outcome.Note!.ETag;
                return TypedResults.Ok(outcome.Note);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(NoteStore store, Guid id, HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryReadIfMatch(http, required: false, out var basedOn, out var problem))
        {
            return problem;
        }
        var outcome = await store.DeleteAsync(id, basedOn, cancellationToken);
        return outcome.Status switch
        {
            WriteStatus.NotFound => NotFound(id),
            WriteStatus.VersionMismatch => Stale(outcome.Note!, basedOn),
            _ => TypedResults.NoContent(),
        };
    }

    private delegate bool TryDecode<TCursor>(string? token, out TCursor cursor);

    /// <summary>Reads a page request: a size within bounds, and a cursor this API issued, or none for the first page.</summary>
    private static bool TryReadPage<TCursor>(int? limit, string? cursor, TryDecode<TCursor> decode, out int size, out TCursor? after, out ProblemHttpResult problem)
        where TCursor : struct
    {
        size = limit ?? DefaultPageSize;
        after = null;
        problem = null!;
        if (size is < 1 or > MaxPageSize)
        {
            problem = TypedResults.Problem($"limit must be between 1 and {MaxPageSize}.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }
        if (cursor is null)
        {
            return true;
        }
        if (!decode(cursor, out var decoded))
        {
            problem = TypedResults.Problem("cursor is not one this API issued.", statusCode: StatusCodes.Status400BadRequest);
            return false;
        }
        after = decoded;
        return true;
    }

    /// <summary>
    /// Reads <c>If-Match</c>: the ETag of the revision the client edited, or <c>*</c> for
    /// whatever is current (then <paramref name="basedOn"/> is null).
    /// </summary>
    private static bool TryReadIfMatch(HttpContext http, bool required, out RevisionId? basedOn, out ProblemHttpResult problem)
    {
        basedOn = null;
        problem = null!;
        var header = http.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0)
        {
            if (!required)
            {
                return true;
            }
            problem = TypedResults.Problem(
                "Send If-Match with the ETag of the version you edited, so a newer edit is never overwritten.",
                statusCode: StatusCodes.Status428PreconditionRequired,
                title: "If-Match is required.");
            return false;
        }
        if (header == "*")
        {
            return true;
        }
        if (EntityTagHeaderValue.TryParse(header, out var tag) && !tag.IsWeak && RevisionId.TryParse(tag.Tag.AsSpan().Trim('"'), out var parsed))
        {
            basedOn = parsed;
            return true;
        }
        problem = TypedResults.Problem("If-Match must be one ETag from this API.", statusCode: StatusCodes.Status400BadRequest);
        return false;
    }

    /// <summary>A 400, or a 413 when only the size is wrong, with the field in <c>errors</c> as a validation problem has it.</summary>
    private static ProblemHttpResult Invalid(NoteRuleViolation violation) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [violation.Field] = [violation.Message] })
        {
            Status = violation.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
            Title = violation.TooLarge ? "The note is too large." : "The note is not valid.",
        });

    private static ProblemHttpResult Stale(Note current, RevisionId? basedOn) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status412PreconditionFailed,
            Title = "The note changed since you loaded it.",
            Detail = $"You edited revision {basedOn}, but the note is now at version {current.Version} (revision {current.Revision}). Reload it, reapply your change, and save again.",
            Extensions = { ["currentRevision"] = current.Revision, ["current"] = current },
        });

    private static ProblemHttpResult RevisionNotFound(Guid id, string revision) =>
        TypedResults.Problem($"The note {id} has no revision {revision}, or there is no such note.", statusCode: StatusCodes.Status404NotFound, title: "Revision not found.");

    internal static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"There is no note with the id {id}.", statusCode: StatusCodes.Status404NotFound, title: "Note not found.");
}
