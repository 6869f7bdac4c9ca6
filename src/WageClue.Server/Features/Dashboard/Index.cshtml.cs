using System.Globalization;
using System.Text;
using CsvHelper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Shared;
using WageClue.Server.Infrastructure;
using WageClue.Server.Features.Calendar;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Dashboard;

/// <summary>A lifecycle list row as a page shows it: the clue, what is waiting, since when, in words.</summary>
public sealed record LifecycleItem(LifecycleRow Row, string What, string When, string Status, string Css)
{
    /// <summary>An extension request waiting for a decision, with the time left on its clock.</summary>
    public static LifecycleItem Extension(LifecycleRow r, WorkflowEngine engine, DateTimeOffset now) => new(r,
        $"{engine.ClockName(r.Clock)}申请延长 {r.ExtensionRequestDays} 个工作日", Display.Time(engine.ToLocal(r.DueAt)),
        r.DueAt > now ? $"现时限剩余 {Display.Span(r.DueAt - now)}" : $"现时限已过 {Display.Span(now - r.DueAt)}", r.DueAt > now ? "soon" : "overdue");

    /// <summary>An urge, answered or waiting for its reply.</summary>
    public static LifecycleItem Urge(LifecycleRow r, WorkflowEngine engine, DateTimeOffset now)
    {
        string Local(DateTimeOffset t) => Display.Time(engine.ToLocal(t));
        var (status, css) = r.MetAt is { } met
            ? (met <= r.DueAt ? $"已回复（{Local(met)}）" : $"超时回复（{Local(met)}）", met <= r.DueAt ? "met" : "late")
            : (r.DueAt > now ? $"待回复，剩余 {Display.Span(r.DueAt - now)}" : $"超时未回复 {Display.Span(now - r.DueAt)}", r.DueAt > now ? "soon" : "overdue");
        return new LifecycleItem(r, $"回复时限 {Local(r.DueAt)}", Local(r.StartedAt), status, css);
    }
}

public sealed record DeadlineItem(DeadlineRow Row, string ClockName, string Due, string StateName, string ChannelName, string Status, string Css);

/// <summary>
/// The supervisor's review: what is overdue and what falls due today, filtered; counts by state and district;
/// compliance with 当日受理 / 次日对接 / 3日反馈; reassignment from the list; every list as CSV for Excel.
/// Leaders see the same for the whole city, without the reassign buttons.
/// </summary>
[Authorize(Roles = $"{Roles.Supervisor},{Roles.Leader}")]
public sealed class IndexModel(DashboardQueries queries, LifecycleQueries lifecycle, DistrictRepository districts, ClueRepository clues,
    ClueWorkflow workflow, UserRepository users, TimeProvider time, CalendarStore calendars, Npgsql.NpgsqlDataSource db,
    Listings.ListingRepository listingCases, Listings.ListingWorkflow listingWorkflow, Employers.EmployerRepository employers) : AppPage
{
    public const int PageSize = 25;
    public static readonly int[] Windows = [7, 30, 90];

    [BindProperty(SupportsGet = true)] public string? District { get; set; }
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public string? Assignee { get; set; }
    [BindProperty(SupportsGet = true)] public string? Channel { get; set; }
    [BindProperty(SupportsGet = true)] public int OverduePage { get; set; } = 1;
    [BindProperty(SupportsGet = true)] public int TodayPage { get; set; } = 1;
    [BindProperty(SupportsGet = true)] public int Days { get; set; } = 30;

    public IReadOnlyList<DistrictResponse> Districts { get; private set; } = [];
    public IReadOnlyList<UserRow> People { get; private set; } = [];
    public IReadOnlyList<DeadlineItem> Overdue { get; private set; } = [];
    public long OverdueTotal { get; private set; }
    /// <summary>The clues the overdue clocks belong to: the unit 全市概览 counts in.</summary>
    public long OverdueClues { get; private set; }
    public long DueTodayClues { get; private set; }
    public IReadOnlyList<DeadlineItem> DueToday { get; private set; } = [];
    public long DueTodayTotal { get; private set; }
    public IReadOnlyList<StateCount> Counts { get; private set; } = [];
    /// <summary>When the counts were summarised (null: counted just now).</summary>
    public string? CountsAsOf { get; private set; }
    public Dictionary<int, IReadOnlyList<RateRow>> Rates { get; } = new();
    public string TrendJson { get; private set; } = "{}";
    public IReadOnlyList<LifecycleItem> PendingExtensions { get; private set; } = [];
    public IReadOnlyList<LifecycleItem> Paused { get; private set; } = [];
    public IReadOnlyList<LifecycleItem> Urges { get; private set; } = [];
    /// <summary>回访率 and 满意率 per district for each window (days → rows).</summary>
    public Dictionary<int, IReadOnlyList<FollowUpRow>> FollowUps { get; } = new();
    public const int ListLimit = 50;
    public string Now { get; private set; } = "";
    public WorkflowDefinition Definition => workflow.CurrentDefinition;
    public bool MayReassign => Me.Role == Roles.Supervisor;

    /// <summary>Listing cases and employers of the same districts (人社部令第45号).</summary>
    public Listings.ListingPanel Listings { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync()
    {
        var filter = await FilterAsync();
        if (filter == null) return Forbid();
        var (now, endOfToday) = Today();
        Now = Display.Time(workflow.CurrentEngine.ToLocal(now));
        (Overdue, OverdueTotal, OverdueClues) = await DeadlinesAsync(filter, null, now, OverduePage = PagerModel.Clamp(OverduePage), PageSize);
        (DueToday, DueTodayTotal, DueTodayClues) = await DeadlinesAsync(filter, now, endOfToday, TodayPage = PagerModel.Clamp(TodayPage), PageSize);
        (Counts, var asOf) = await queries.StateCountsAsync(filter);
        CountsAsOf = asOf is { } a ? Display.Time(workflow.CurrentEngine.ToLocal(a)) : null;
        foreach (var days in Windows) Rates[days] = await queries.RatesAsync(filter, queries.WindowStart(now, days), now);
        if (!Windows.Contains(Days)) Days = 30;
        TrendJson = await TrendJsonAsync(queries, workflow, filter, now, Days);
        await LoadLifecycleAsync(filter, now);
        Listings = await Features.Listings.ListingPanel.LoadAsync(listingCases, listingWorkflow, employers, queries, await CalendarAsync(),
            filter.District != null ? [filter.District] : filter.Districts, now);
        return Page();
    }

    public async Task<IActionResult> OnPostReassignAsync(long clueId, string? assigneeId, string? reason, string? returnQuery)
    {
        if (!MayReassign) return Forbid();
        var clue = await clues.FindAsync(clueId);
        if (clue == null || !AccessPolicy.CanRead(Me, clue.DistrictId, clue.CreatedBy)) return NotFound();
        var fields = new Dictionary<string, System.Text.Json.JsonElement>();
        if (long.TryParse(assigneeId, NumberStyles.None, CultureInfo.InvariantCulture, out var a)) fields["assigneeId"] = System.Text.Json.JsonSerializer.SerializeToElement(a);
        if (!string.IsNullOrWhiteSpace(reason)) fields["reason"] = System.Text.Json.JsonSerializer.SerializeToElement(reason.Trim());
        var outcome = await workflow.FireAsync(clue, "reassign", Me, fields);
        Flash(outcome switch
        {
            ActionOutcome.Done done => $"线索 {clue.TrackingCode} 已改派给 {done.Clue.AssigneeName}",
            ActionOutcome.Refusal { Reason: var r } => $"改派未完成：{(r.FieldErrors is { Count: > 0 } fe ? string.Join("；", fe.Values.SelectMany(v => v)) : r.Message)}",
            ActionOutcome.BadReferences bad => $"改派未完成：{string.Join("；", bad.Errors.Values.SelectMany(v => v))}",
            _ => "改派未完成：线索已被他人同时更新，请刷新后重试",
        });
        return Redirect("/dashboard" + (returnQuery is { Length: > 0 } q && q.StartsWith('?') ? q : ""));
    }

    /// <summary>A list as CSV, UTF-8 with a byte order mark so that Excel opens the Chinese text correctly.</summary>
    /// <summary>A list as CSV or Excel: the overdue or due-today clocks (all of them, not one page) or the counts,
    /// laid out as the page's matrix (a district per row, a state per column, the total last).</summary>
    public async Task<IActionResult> OnGetExportAsync(string list, string format = Export.CsvFormat)
    {
        if (!Export.IsFormat(format)) return BadRequest();
        var filter = await FilterAsync();
        if (filter == null) return Forbid();
        var (now, endOfToday) = Today();
        var day = workflow.CurrentEngine.ToLocal(now).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (list == "counts")
        {
            var states = Definition.States;
            var byDistrict = (await queries.StateCountsAsync(filter)).Counts.GroupBy(c => c.DistrictId)
                .ToDictionary(g => g.Key, g => g.ToDictionary(c => c.State, c => c.Count));
            var rows = Districts.Where(d => byDistrict.ContainsKey(d.Id)).Select(d => (string[])[d.Name,
                ..states.Select(st => byDistrict[d.Id].GetValueOrDefault(st.Id).ToString(CultureInfo.InvariantCulture)),
                byDistrict[d.Id].Values.Sum().ToString(CultureInfo.InvariantCulture)]).ToList();
            return Export.File(format, "线索状态统计", day, ["区县", .. states.Select(st => st.Name), "合计"], rows);
        }
        var overdue = list != "today";
        var (items, _, _) = await DeadlinesAsync(filter, overdue ? null : now, overdue ? now : endOfToday, 1, 100_000);
        return Export.File(format, overdue ? "超时线索" : "今日到期线索", day,
            ["线索编号", "用人单位", "区县", "状态", "来源", "时限节点", "办理时限", "超时/剩余", "承办人"],
            items.Select(i => new[] { i.Row.TrackingCode, i.Row.EmployerName, i.Row.DistrictName, i.StateName, i.ChannelName, i.ClockName, i.Due, i.Status, i.Row.AssigneeName ?? "未分派" }).ToList());
    }

    public string StateName(string state) => workflow.CurrentEngine.StateName(state);

    /// <summary>Extensions waiting for a decision, paused clues and for how long, urges and their replies, follow-up rates.</summary>
    private async Task LoadLifecycleAsync(DashboardFilter filter, DateTimeOffset now)
    {
        var scope = filter.District != null ? [filter.District] : filter.Districts;
        var calendar = await CalendarAsync();
        string Local(DateTimeOffset t, LifecycleRow r) => Display.Time(workflow.EngineFor(r.DefinitionId, r.DefinitionVersion).ToLocal(t));
        WorkflowEngine Engine(LifecycleRow r) => workflow.EngineFor(r.DefinitionId, r.DefinitionVersion);

        PendingExtensions = (await lifecycle.PendingExtensionsAsync(scope, ListLimit)).Select(r => LifecycleItem.Extension(r, Engine(r), now)).ToList();

        Paused = (await lifecycle.PausedAsync(scope, ListLimit)).Select(r =>
        {
            var math = new ClockMath(Engine(r).Definition, calendar);
            var workingDays = WorkingDaysBetween(math, r.PausedAt!.Value, now);
            var reason = r.SuspendReason == null ? "" : Engine(r).AttributeLabel("suspendReason", r.SuspendReason);
            return new LifecycleItem(r, reason, Local(r.PausedAt!.Value, r), $"已中止 {workingDays} 个工作日（{Display.Span(now - r.PausedAt!.Value)}）", "paused");
        }).ToList();

        Urges = (await lifecycle.UrgesAsync(scope, queries.WindowStart(now, 30), ListLimit)).Select(r => LifecycleItem.Urge(r, Engine(r), now)).ToList();

        // Whole local days, today included to its end: a clue resolved a moment ago counts.
        var endOfToday = workflow.CurrentEngine.EndOfDay(now);
        var starts = Windows.ToDictionary(days => days, days => queries.WindowStart(now, days));
        var followUps = await lifecycle.FollowUpAsync(scope, starts.Values.ToList(), endOfToday);
        foreach (var (days, start) in starts) FollowUps[days] = followUps[start];
    }

    /// <summary>Whole working days from <paramref name="from"/> to <paramref name="to"/> on the calendar (how long a clue has been paused).</summary>
    private static int WorkingDaysBetween(ClockMath math, DateTimeOffset from, DateTimeOffset to) =>
        (int)(math.Calculator.WorkingTimeBetween(from, to) / math.Calculator.WorkingDayLength);

    public string ReturnQuery => Request.QueryString.Value ?? "";

    /// <summary>The calendar, read once per request: each read checks its version in the database.</summary>
    private async Task<WorkingCalendar> CalendarAsync() => _calendar ??= await calendars.GetAsync(db);
    private WorkingCalendar? _calendar;

    private (DateTimeOffset Now, DateTimeOffset EndOfToday) Today()
    {
        var now = time.GetUtcNow();
        return (now, workflow.CurrentEngine.EndOfDay(now));
    }

    /// <summary>The filter from the query, within what the caller may read; null when a district outside it is asked for.</summary>
    private async Task<DashboardFilter?> FilterAsync()
    {
        var readable = AccessPolicy.Scope(Me).Districts;
        (Districts, People) = await FilterChoices.LoadAsync(districts, users, Me);
        District = string.IsNullOrEmpty(District) ? null : District;
        if (District != null && Districts.All(d => d.Id != District)) return null;
        long? assigneeId = long.TryParse(Assignee, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        return new DashboardFilter(readable, District, string.IsNullOrEmpty(State) ? null : State, assigneeId, Assignee == "none",
            string.IsNullOrEmpty(Channel) ? null : Channel);
    }

    private async Task<(IReadOnlyList<DeadlineItem>, long, long)> DeadlinesAsync(DashboardFilter filter, DateTimeOffset? after, DateTimeOffset upTo, int page, int pageSize)
    {
        var (rows, total, clues) = await queries.DeadlinesAsync(filter, after, upTo, page, pageSize);
        var now = time.GetUtcNow();
        var calendar = await CalendarAsync();
        return (rows.Select(r =>
        {
            var engine = workflow.EngineFor(r.DefinitionId, r.DefinitionVersion);
            var (status, css) = ClockView.DueText(new ClockMath(engine.Definition, calendar), r.DueAt, now);
            return new DeadlineItem(r, engine.Definition.Clocks.Single(c => c.Id == r.Clock).Name, Display.Time(engine.ToLocal(r.DueAt)),
                engine.StateName(r.State), Channels.Names.GetValueOrDefault(r.Channel, r.Channel), status, css == "running" ? "soon" : css);
        }).ToList(), total, clues);
    }

    /// <summary>The daily on-time rate of each clock, for the trend chart (read by wwwroot/js/charts.js).</summary>
    internal static async Task<string> TrendJsonAsync(DashboardQueries queries, ClueWorkflow workflow, DashboardFilter filter, DateTimeOffset now, int days)
    {
        var definition = workflow.CurrentDefinition;
        var trend = await queries.TrendAsync(filter, queries.WindowStart(now, days), now);
        var lastDay = DateOnly.FromDateTime(workflow.CurrentEngine.ToLocal(now).DateTime);
        var allDays = Enumerable.Range(0, days).Select(i => lastDay.AddDays(i + 1 - days)).ToList();
        var series = definition.Clocks.Select(c => new
        {
            name = c.Name,
            data = allDays.Select(d => trend.FirstOrDefault(t => t.Day == d && t.Clock == c.Id) is { Total: > 0 } t
                ? Math.Round(100.0 * t.OnTime / t.Total, 1) : (double?)null).ToList(),
        });
        return System.Text.Json.JsonSerializer.Serialize(new { days = allDays.Select(d => d.ToString("MM-dd", CultureInfo.InvariantCulture)), series });
    }
}
