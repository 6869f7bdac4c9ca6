using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Shared;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Dashboard;

public sealed record DistrictLine(DistrictResponse District, long Open, long Overdue, long DueToday, IReadOnlyDictionary<string, RateRow> Rates);

/// <summary>The whole city for the bureau's leadership: districts side by side, the same rates and trend.</summary>
[Authorize(Roles = Roles.Leader)]
public sealed class LeadershipModel(DashboardQueries queries, DistrictRepository districts, ClueWorkflow workflow, TimeProvider time,
    Listings.ListingRepository listingCases, Listings.ListingWorkflow listingWorkflow, Employers.EmployerRepository employers,
    Calendar.CalendarStore calendars, Npgsql.NpgsqlDataSource db) : AppPage
{
    [BindProperty(SupportsGet = true)] public int Days { get; set; } = 30;

    public IReadOnlyList<DistrictLine> Lines { get; private set; } = [];
    public IReadOnlyList<RateRow> CityRates { get; private set; } = [];
    public string TrendJson { get; private set; } = "{}";
    public string Now { get; private set; } = "";
    public WorkflowDefinition Definition => workflow.CurrentDefinition;

    public Listings.ListingPanel Listings { get; private set; } = null!;

    /// <summary>When the 在办 counts were summarised (null: counted just now).</summary>
    public string? CountsAsOf { get; private set; }

    public const string ResolvedState = "resolved";

    public async Task OnGetAsync()
    {
        if (!IndexModel.Windows.Contains(Days)) Days = 30;
        var now = time.GetUtcNow();
        var engine = workflow.CurrentEngine;
        Now = Display.Time(engine.ToLocal(now));
        var city = new DashboardFilter(null, null, null, null, false, null);
        // 在办: clues still being handled. A resolved clue (已办结) waits only for its follow-up call and is not counted.
        var done = Definition.States.Where(s => s.Final || s.Id == ResolvedState).Select(s => s.Id).ToHashSet();
        var (counts, asOf) = await queries.StateCountsAsync(city);
        CountsAsOf = asOf is { } a ? Display.Time(engine.ToLocal(a)) : null;
        var overdue = await queries.DeadlineCountsByDistrictAsync(city, null, now);
        var today = await queries.DeadlineCountsByDistrictAsync(city, now, engine.EndOfDay(now));
        var rates = (await queries.RatesByDistrictAsync(city, queries.WindowStart(now, Days), now)).ToLookup(r => r.DistrictId);
        Lines = (await districts.ListAsync()).Select(d => new DistrictLine(d,
            counts.Where(c => c.DistrictId == d.Id && !done.Contains(c.State)).Sum(c => c.Count),
            overdue.GetValueOrDefault(d.Id),
            today.GetValueOrDefault(d.Id),
            rates[d.Id].ToDictionary(r => r.Rate.Clock, r => r.Rate))).ToList();
        CityRates = await queries.RatesAsync(city, queries.WindowStart(now, Days), now);
        TrendJson = await IndexModel.TrendJsonAsync(queries, workflow, city, now, Days);
        Listings = await Features.Listings.ListingPanel.LoadAsync(listingCases, listingWorkflow, employers, queries, await calendars.GetAsync(db), null, now);
    }
}
