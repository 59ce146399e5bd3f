using System.Net;
using System.Net.Http.Json;
using HermitSync.IntegrationTests.Stack;
using HermitSync.IntegrationTests.Sync;

namespace HermitSync.IntegrationTests.Undo;

/// <summary>A restore is an ordinary new revision, so it syncs like an edit: the test ends with both sites' tables identical.</summary>
[Collection(PairedSitesCollection.Name)]
public sealed class RestoreAcrossSitesTests(PairedSitesFixture fixture)
{
    private readonly StackFixture _stack = fixture.Stack;

    [Fact]
    public async Task A_note_deleted_at_A_and_restored_from_the_trash_at_B_comes_back_at_A()
    {
        using var a = _stack.WebBrowserClient("a");
        using var b = _stack.WebBrowserClient("b");
        var rejections = await Sites.RejectionCountsAsync(_stack);
        var siteA = await Sites.SiteIdAsync(a);
        var note = await Sites.CreateAsync(a, "Deleted by mistake", "worth keeping");
        await Sites.EventuallyAsync(() => Sites.TryGetAsync(b, note), "the note did not reach B");

        await UndoApi.DeleteAsync(a, await Sites.GetAsync(a, note));
        var inTrashAtB = await Sites.EventuallyAsync(
            async () => (await UndoApi.TrashAsync(b)).Items.FirstOrDefault(n => n.Id == note.Id), "the delete did not reach B's Trash");
        Assert.Equal(siteA, inTrashAtB.SiteId);
        using var restored = await UndoApi.RestoreAsync(b, note.Id, $"\"{inTrashAtB.Revision}\"");
        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        var atB = (await restored.Content.ReadFromJsonAsync<Note>())!;

        var atA = await Sites.EventuallyAsync(() => Sites.TryGetAsync(a, note), "the restore did not reach A");
        Assert.Equal(("worth keeping", 3L, atB.Revision), (atA.Body, atA.Version, atA.Revision));
        Assert.DoesNotContain((await UndoApi.TrashAsync(a)).Items, n => n.Id == note.Id);
        await Sites.WaitUntilConvergedAsync(_stack);
        Assert.Equal(rejections, await Sites.RejectionCountsAsync(_stack));
    }
}
