using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Listings;

/// <summary>
/// 公示 (第九条): the employers listed now, with the decision's public fields only (name, credit code, legal
/// representative, reason, sanctions, decision, term). No login; nothing of a complainant or a worker is read.
/// </summary>
public sealed class PublicModel(ListingRepository listings, ListingWorkflow workflow) : PageModel
{
    public const int PageSize = 20;
    public IReadOnlyList<PublicListingResponse> Items { get; private set; } = [];
    public long Total { get; private set; }
    public int PageNumber { get; private set; } = 1;

    public async Task OnGetAsync(int page = 1)
    {
        PageNumber = Shared.PagerModel.Clamp(page);
        var (items, total) = await listings.PublishedAsync(PageNumber, PageSize);
        Items = items.Select(p => ListingEndpoints.ToPublic(p, workflow.CurrentEngine)).ToList();
        Total = total;
    }
}
