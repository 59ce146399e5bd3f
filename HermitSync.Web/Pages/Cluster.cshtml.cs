using HermitSync.Web.Cluster;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace HermitSync.Web.Pages;

public sealed class ClusterModel(ClusterApi cluster) : PageModel
{
    public ClusterStatus Status { get; private set; } = new("Unknown", null, 0, 0, [], null);

    public async Task OnGetAsync(CancellationToken cancellationToken) => Status = await cluster.GetAsync(cancellationToken);
}
