using Microsoft.AspNetCore.Authorization;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Listings;

/// <summary>The listing cases of the caller's districts (leaders: the city) by step, each with its most urgent time limit.</summary>
[Authorize(Roles = $"{Roles.Caseworker},{Roles.Supervisor},{Roles.Leader}")]
public sealed class IndexModel(ListingRepository listings, ListingWorkflow workflow, Calendar.CalendarStore calendars, Npgsql.NpgsqlDataSource db, TimeProvider time) : AppPage
{
    public const int PageSize = 25;
    public IReadOnlyList<(ListingRow Listing, ClockView? Next)> Items { get; private set; } = [];
    public long Total { get; private set; }
    public int PageNumber { get; private set; } = 1;
    public string? State { get; private set; }
    public IReadOnlyList<StateDefinition> States => workflow.CurrentEngine.Definition.States;

    public async Task OnGetAsync(string? state, int page = 1)
    {
        State = States.Any(s => s.Id == state) ? state : null;
        PageNumber = Shared.PagerModel.Clamp(page);
        var (items, total) = await listings.ListAsync(AccessPolicy.RecordsScope(Me), State, null, PageNumber, PageSize);
        var clocks = (await listings.ClocksAsync(items.Select(i => i.Id).ToList())).ToLookup(k => k.InstanceId);
        var now = time.GetUtcNow();
        var calendar = await calendars.GetAsync(db);
        Items = items.Select(l => (l, ClockView.MostUrgent(workflow.EngineFor(l), calendar, clocks[l.Id], now))).ToList();
        Total = total;
    }

    public string StateName(ListingRow l) => workflow.EngineFor(l).StateName(l.State);
}
