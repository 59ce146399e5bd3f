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

    [BindProperty]
    public string? Passphrase { get; set; }

    [BindProperty]
    public string? Confirmation { get; set; }

    [BindProperty]
    public string? Current { get; set; }

    /// <summary>A passphrase generated for this response alone, shown once: for a new site, or a change.</summary>
    public string? Generated { get; private set; }

    /// <summary>Whether <see cref="Generated"/> replaces the current passphrase rather than being the first.</summary>
    public bool Changing { get; private set; }

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

    public Task<IActionResult> OnPostCreatePassphraseAsync(CancellationToken cancellationToken) => ShowGeneratedAsync(changing: false, cancellationToken);

    public Task<IActionResult> OnPostStartChangeAsync(CancellationToken cancellationToken) => ShowGeneratedAsync(changing: true, cancellationToken);

    public Task<IActionResult> OnPostConfirmPassphraseAsync(CancellationToken cancellationToken) =>
        SetPassphraseAsync(Passphrase, Confirmation, current: null, "The passphrase is set. On your other machine, choose \"Join\" on its Sync page and type it there.", cancellationToken);

    public Task<IActionResult> OnPostChangePassphraseAsync(CancellationToken cancellationToken) =>
        SetPassphraseAsync(Passphrase, Confirmation, Current ?? "", "The passphrase is changed. Give the new one to your other machines on their Sync pages; until then they keep syncing under the old one.", cancellationToken);

    public Task<IActionResult> OnPostJoinAsync(CancellationToken cancellationToken) =>
        SetPassphraseAsync(Passphrase, confirmation: null, current: null, "The passphrase is taken. Files sealed under it are read now.", cancellationToken);

    private async Task<IActionResult> ShowGeneratedAsync(bool changing, CancellationToken cancellationToken)
    {
        NotKept();
        Generated = await sync.GeneratePassphraseAsync(cancellationToken);
        Changing = changing;
        Problem = Generated is null ? "The exporter, which runs sync, did not answer; try again." : null;
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>A refused confirmation shows the same generated passphrase again, so it can be typed once more.</summary>
    private async Task<IActionResult> SetPassphraseAsync(string? passphrase, string? confirmation, string? current, string done, CancellationToken cancellationToken)
    {
        NotKept();
        var result = await ActAsync(() => sync.SetPassphraseAsync(passphrase, confirmation, current, cancellationToken), done, cancellationToken);
        if (Problem is not null && confirmation is not null)
        {
            (Generated, Changing) = (passphrase, current is not null);
        }
        return result;
    }

    /// <summary>A page that shows a passphrase, or holds one in a form, is kept by no cache.</summary>
    private void NotKept() => Response.Headers.CacheControl = "no-store";

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
