using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Dashboard;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Workbench;

public sealed record ClueListItem(long Id, string TrackingCode, string Employer, string District, string State, string Received, ClockView? Next, string? Assignee);

/// <summary>A caseworker's day: my open clues, most urgent deadline first, and the district's queue of clues nobody holds yet.</summary>
[Authorize(Roles = $"{Roles.Caseworker},{Roles.Supervisor}")]
public sealed class IndexModel(ClueRepository clues, ClueWorkflow workflow, LifecycleQueries lifecycle, Calendar.CalendarStore calendars,
    Npgsql.NpgsqlDataSource db, Todo todo, TimeProvider time) : AppPage
{
    public const int PageSize = 20;

    [BindProperty(SupportsGet = true)]
    public int MinePage { get; set; } = 1;

    [BindProperty(SupportsGet = true)]
    public int QueuePage { get; set; } = 1;

    public IReadOnlyList<ClueListItem> Mine { get; private set; } = [];
    public long MineTotal { get; private set; }
    public IReadOnlyList<ClueListItem> Queue { get; private set; } = [];
    /// <summary>督办 on my clues waiting for my reply (the ladder's "dashboard" channel for urges).</summary>
    public IReadOnlyList<LifecycleItem> UrgesToAnswer { get; private set; } = [];
    /// <summary>For supervisors: extension requests of their districts waiting for a decision.</summary>
    public IReadOnlyList<LifecycleItem> ExtensionsToDecide { get; private set; } = [];
    public long QueueTotal { get; private set; }
    /// <summary>新分派给我的: given to me by someone else, not acted on since.</summary>
    public IReadOnlyList<(NewAssignmentRow Row, string When, string By)> NewAssignments { get; private set; } = [];
    /// <summary>My clocks due within two working hours, and those overdue.</summary>
    public IReadOnlyList<(LifecycleRow Row, ClockView Clock)> DueSoon { get; private set; } = [];

    public async Task OnGetAsync()
    {
        MinePage = PagerModel.Clamp(MinePage);
        QueuePage = PagerModel.Clamp(QueuePage);
        var final = workflow.CurrentDefinition.States.Where(s => s.Final).Select(s => s.Id).ToList();
        // One read of the calendar for the whole page (each read checks its version in the database).
        var calendar = await calendars.GetAsync(db);
        (Mine, MineTotal) = await LoadAsync(calendar, new ClueFilter(new ReadScope(Me.Districts, null), null, null, Me.Id, false, false, null, true, MinePage, PageSize, final));
        (Queue, QueueTotal) = await LoadAsync(calendar, new ClueFilter(new ReadScope(Me.Districts, null), workflow.CurrentDefinition.InitialState, null, null, true, false, null, true, QueuePage, PageSize));
        var now = time.GetUtcNow();
        UrgesToAnswer = (await lifecycle.UrgesToAnswerAsync(Me.Id))
            .Select(r => LifecycleItem.Urge(r, workflow.EngineFor(r.DefinitionId, r.DefinitionVersion), now)).ToList();
        NewAssignments = (await todo.NewAssignmentsAsync(Me)).Select(r =>
        {
            var engine = workflow.EngineFor(r.DefinitionId, r.DefinitionVersion);
            return (r, Infrastructure.Display.Time(engine.ToLocal(r.AssignedAt)), r.AssignedBy ?? "系统");
        }).ToList();
        DueSoon = (await todo.DueSoonAsync(Me)).Select(r =>
        {
            var engine = workflow.EngineFor(r.DefinitionId, r.DefinitionVersion);
            var clock = new Instances.ClockRow { InstanceId = r.ClueId, Clock = r.Clock, Round = r.Round, DueAt = r.DueAt };
            return (r, ClockView.For(engine, calendar, [clock], now)[0]);
        }).ToList();
        if (Me.Role == Roles.Supervisor)
            ExtensionsToDecide = (await lifecycle.PendingExtensionsAsync(Me.Districts, Dashboard.IndexModel.ListLimit))
                .Select(r => LifecycleItem.Extension(r, workflow.EngineFor(r.DefinitionId, r.DefinitionVersion), now)).ToList();
    }

    private async Task<(IReadOnlyList<ClueListItem>, long)> LoadAsync(WageClue.Workflows.Calendar.WorkingCalendar calendar, ClueFilter filter) =>
        await List(clues, workflow, calendar, filter, time.GetUtcNow());

    /// <summary>One page of clues as list rows, each with its most urgent running clock.</summary>
    internal static async Task<(IReadOnlyList<ClueListItem>, long)> List(ClueRepository clues, ClueWorkflow workflow, WageClue.Workflows.Calendar.WorkingCalendar calendar,
        ClueFilter filter, DateTimeOffset now)
    {
        var (rows, total) = await clues.ListAsync(filter, now);
        var clocks = (await clues.ClocksAsync(rows.Select(r => r.Id).ToList())).ToLookup(k => k.InstanceId);
        return (rows.Select(r =>
        {
            var engine = workflow.EngineFor(r);
            return new ClueListItem(r.Id, r.TrackingCode, r.EmployerName, r.DistrictName, engine.StateName(r.State),
                Infrastructure.Display.Time(engine.ToLocal(r.ReceivedAt)), ClockView.MostUrgent(engine, calendar, clocks[r.Id], now), r.AssigneeName);
        }).ToList(), total);
    }
}
