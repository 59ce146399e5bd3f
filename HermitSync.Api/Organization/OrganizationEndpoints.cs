using HermitSync.Api.Notes;
using HermitSync.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HermitSync.Api.Organization;

/// <summary>A note's labels to set; a part left out (null) stays as it is. An empty notebook id takes the note out of its notebook.</summary>
public sealed record LabelsRequest(string? NotebookId = null, bool? Pinned = null, IReadOnlyList<string>? Tags = null);

/// <summary>A notebook to make or change: a name, and the notebook it sits in (null or empty for the top).</summary>
public sealed record NotebookRequest(string? Name = null, string? ParentId = null);

public sealed record NotebookCreated(string Id);

public static class OrganizationEndpoints
{
    public static IEndpointRouteBuilder MapOrganizationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPut("/api/notes/{id:guid}/labels", SetLabels).WithTags("Notes").WithName("SetNoteLabels");
        var notebooks = app.MapGroup("/api/notebooks").WithTags("Notebooks");
        notebooks.MapGet("/", Notebooks).WithName("ListNotebooks");
        notebooks.MapPost("/", CreateNotebook).WithName("CreateNotebook");
        notebooks.MapPut("/{id:guid}", UpdateNotebook).WithName("UpdateNotebook");
        notebooks.MapDelete("/{id:guid}", DeleteNotebook).WithName("DeleteNotebook");
        app.MapGet("/api/tags", Tags).WithTags("Tags").WithName("ListTags");
        return app;
    }

    private static async Task<Results<Ok<NoteLabels>, ProblemHttpResult>> SetLabels(
        NoteStore notes, OrganizationStore organization, Guid id, LabelsRequest request, CancellationToken cancellationToken)
    {
        if (request.Tags is { } tags)
        {
            if (tags.Select(Properties.CheckTag).FirstOrDefault(p => p is not null) is { } wrong)
            {
                return Problem(wrong);
            }
            if (tags.DistinctBy(Properties.TagKey).Count() > Properties.MaxTagsPerNote)
            {
                return Problem($"A note may have at most {Properties.MaxTagsPerNote} tags.");
            }
        }
        if (request.NotebookId is { Length: > 0 } notebook && !(await organization.NotebooksAsync(cancellationToken)).IsLive(notebook))
        {
            return Problem($"There is no notebook {notebook}.");
        }
        if (await notes.GetAsync(id, cancellationToken) is not { } note)
        {
            return TypedResults.Problem($"No note has the id {id}.", statusCode: StatusCodes.Status404NotFound);
        }
        await organization.WriteLabelsAsync(id, note.Labels, request.NotebookId, request.Pinned, request.Tags, cancellationToken);
        return TypedResults.Ok((await notes.GetAsync(id, cancellationToken))?.Labels ?? note.Labels);
    }

    private static async Task<Ok<IReadOnlyList<NotebookEntry>>> Notebooks(OrganizationStore organization, CancellationToken cancellationToken) =>
        TypedResults.Ok((await organization.NotebooksAsync(cancellationToken)).Entries);

    private static async Task<Ok<IReadOnlyList<TagCount>>> Tags(OrganizationStore organization, CancellationToken cancellationToken) =>
        TypedResults.Ok(await organization.TagsAsync(cancellationToken));

    private static async Task<Results<Created<NotebookCreated>, ProblemHttpResult>> CreateNotebook(
        OrganizationStore organization, NotebookRequest request, CancellationToken cancellationToken)
    {
        if (Properties.CheckNotebookName(request.Name) is { } wrong)
        {
            return Problem(wrong);
        }
        var parent = request.ParentId is { Length: > 0 } p ? p : null;
        if (parent is not null && !(await organization.NotebooksAsync(cancellationToken)).IsLive(parent))
        {
            return Problem($"There is no notebook {parent} to put it in.");
        }
        var id = await organization.CreateNotebookAsync(request.Name!, parent, cancellationToken);
        return TypedResults.Created($"/api/notebooks/{id}", new NotebookCreated(id));
    }

    /// <summary>Renames a notebook, moves it, or both; moving it into itself or a notebook inside it is refused.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> UpdateNotebook(
        OrganizationStore organization, Guid id, NotebookRequest request, CancellationToken cancellationToken)
    {
        var tree = await organization.NotebooksAsync(cancellationToken);
        var key = id.ToString("D");
        if (!tree.IsLive(key))
        {
            return TypedResults.Problem($"There is no notebook {id}.", statusCode: StatusCodes.Status404NotFound);
        }
        if (request.Name is not null && Properties.CheckNotebookName(request.Name) is { } wrong)
        {
            return Problem(wrong);
        }
        if (request.ParentId is { Length: > 0 } parent && (!tree.IsLive(parent) || tree.IsWithin(parent, key)))
        {
            return Problem(tree.IsLive(parent) ? "A notebook cannot go inside itself or a notebook inside it." : $"There is no notebook {parent} to put it in.");
        }
        if (request.Name is not null)
        {
            await organization.RenameNotebookAsync(id, request.Name, cancellationToken);
        }
        if (request.ParentId is not null)
        {
            await organization.MoveNotebookAsync(id, request.ParentId is { Length: > 0 } to ? to : null, cancellationToken);
        }
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteNotebook(OrganizationStore organization, Guid id, CancellationToken cancellationToken)
    {
        if (!(await organization.NotebooksAsync(cancellationToken)).IsLive(id.ToString("D")))
        {
            return TypedResults.Problem($"There is no notebook {id}.", statusCode: StatusCodes.Status404NotFound);
        }
        await organization.DeleteNotebookAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Problem(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);
}
