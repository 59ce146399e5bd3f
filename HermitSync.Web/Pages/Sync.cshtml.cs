using HermitSync.Web.Sync;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

public sealed class SyncModel(SyncApi sync) : PageModel
{
    public SyncStatus Status { get; private set; } = new("", null, null, [], []);

    /// <summary>Null when the exporter cannot be reached; the page says so.</summary>
    public PairingStatus? Pairing { get; private set; }

    [BindProperty]
    public string? DeviceId { get; set; }

    [BindProperty]
    public string? PeerName { get; set; }

    [BindProperty]
    public string? Address { get; set; }

    public string? Problem { get; private set; }

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostPairAsync(CancellationToken cancellationToken) =>
        ActAsync(() => sync.PairAsync(DeviceId ?? "", PeerName, Address, cancellationToken), "Paired. The machines connect once both have added each other.", cancellationToken);

    public Task<IActionResult> OnPostAcceptAsync(string deviceId, string? name, string? address, CancellationToken cancellationToken) =>
        ActAsync(() => sync.PairAsync(deviceId, name, address, cancellationToken), "Accepted. The folder is now shared with that machine.", cancellationToken);

    public Task<IActionResult> OnPostIgnoreAsync(string deviceId, CancellationToken cancellationToken) =>
        ActAsync(() => sync.IgnoreAsync(deviceId, cancellationToken), "Ignored. That machine will not be offered again.", cancellationToken);

    public Task<IActionResult> OnPostRemoveAsync(string deviceId, CancellationToken cancellationToken) =>
        ActAsync(() => sync.UnpairAsync(deviceId, cancellationToken), "Removed. Nothing more is exchanged with that machine.", cancellationToken);

    private async Task<IActionResult> ActAsync(Func<Task<string?>> action, string done, CancellationToken cancellationToken)
    {
        Problem = await action();
        if (Problem is null)
        {
            TempData["Flash"] = done;
            return RedirectToPage();
        }
        await LoadAsync(cancellationToken);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Status = await sync.GetAsync(cancellationToken);
        Pairing = await sync.PairingAsync(cancellationToken);
    }
}
