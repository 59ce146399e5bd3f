using HermitSync.Web.Sync;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

public sealed class SyncModel(SyncApi sync) : PageModel
{
    public SyncStatus Status { get; private set; } = new("", null, null, [], []);

    public async Task OnGetAsync(CancellationToken cancellationToken) => Status = await sync.GetAsync(cancellationToken);
}
