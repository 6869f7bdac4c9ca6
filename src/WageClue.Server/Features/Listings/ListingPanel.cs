using WageClue.Server.Features.Dashboard;
using WageClue.Server.Features.Employers;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Listings;

public sealed record ListingDeadlineItem(ListingDeadline Row, ClockView Clock, string StateName);

/// <summary>
/// The listing half of the supervisor dashboard and the leadership page: cases by step, their running time limits
/// (overdue take-downs first), listings whose term ends soon, the compliance rate of their time limits, and the
/// employers with the most clues and the largest amounts.
/// </summary>
public sealed record ListingPanel(
    IReadOnlyList<(string State, string Name, long Count)> Counts,
    IReadOnlyList<ListingDeadlineItem> Deadlines,
    IReadOnlyList<ListingDeadlineItem> Expiring,
    IReadOnlyList<(string Clock, string Name, RateRow? Rate)> Rates,
    IReadOnlyList<TopEmployer> ByClues,
    IReadOnlyList<TopEmployer> ByAmount,
    int OverdueTakeDowns)
{
    /// <summary>How far ahead the dashboard lists the cases' time limits and the terms that end.</summary>
    public static readonly TimeSpan DeadlinesAhead = TimeSpan.FromDays(14), TermsAhead = TimeSpan.FromDays(60);

    public const int Limit = 20, TopEmployers = 10, RateDays = 90, TopDays = 365;

    /// <param name="districts">What the caller may read; null for the whole city.</param>
    public static async Task<ListingPanel> LoadAsync(ListingRepository listings, ListingWorkflow workflow, EmployerRepository employers,
        DashboardQueries queries, WageClue.Workflows.Calendar.WorkingCalendar calendar, IReadOnlyList<string>? districts, DateTimeOffset now)
    {
        var engine = workflow.CurrentEngine;
        var duties = engine.Definition.Clocks.Where(c => !c.IsPeriod).Select(c => c.Id).ToList();
        var periods = engine.Definition.Clocks.Where(c => c.IsPeriod && c.OnDue == "expire").Select(c => c.Id).ToList();
        var counts = await listings.CountsByStateAsync(districts);
        ListingDeadlineItem Item(ListingDeadline d)
        {
            var e = workflow.EngineFor(d.DefinitionId, d.DefinitionVersion);
            var clock = new ClockRow { Clock = d.Clock, DueAt = d.DueAt, InstanceId = d.Id };
            return new ListingDeadlineItem(d, ClockView.For(e, calendar, [clock], now)[0], e.StateName(d.State));
        }
        var deadlines = (await listings.DeadlinesAsync(districts, duties, now + DeadlinesAhead, Limit)).Select(Item).ToList();
        var rates = await queries.RatesAsync(new DashboardFilter(districts, null, null, null, false, null), queries.WindowStart(now, RateDays), now);
        return new ListingPanel(
            engine.Definition.States.Where(s => counts.ContainsKey(s.Id)).Select(s => (s.Id, s.Name, counts[s.Id])).ToList(),
            deadlines,
            (await listings.DeadlinesAsync(districts, periods, now + TermsAhead, Limit)).Select(Item).ToList(),
            duties.Select(c => (c, engine.ClockName(c), rates.FirstOrDefault(r => r.Clock == c))).ToList(),
            await employers.TopAsync(districts, now.AddDays(-TopDays), byAmount: false, TopEmployers),
            await employers.TopAsync(districts, now.AddDays(-TopDays), byAmount: true, TopEmployers),
            deadlines.Count(d => d.Row.Clock == "take-down" && d.Row.DueAt <= now));
    }
}
