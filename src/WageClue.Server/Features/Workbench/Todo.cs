using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Dashboard;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Workbench;

/// <summary>
/// 待办: what waits for the signed-in caseworker or supervisor, the ladder's "dashboard" channel on screen. New
/// assignments (given by someone else within <see cref="NewFor"/>, not acted on since), urges to answer, their
/// clocks due within <see cref="SoonWorkingHours"/> working hours or overdue, and for a supervisor the extension
/// requests to decide. The workbench lists them; the header shows their count on every page.
/// </summary>
public sealed class Todo(LifecycleQueries lifecycle, ClueWorkflow workflow, WorkflowRegistry registry, CalendarStore calendars,
    Npgsql.NpgsqlDataSource db, TimeProvider time)
{
    public const int SoonWorkingHours = 2, ListLimit = 50;
    public static readonly TimeSpan NewFor = TimeSpan.FromDays(30);

    /// <summary>The actions that give a clue to someone: those with a field that sets the assignee, in every version.</summary>
    private IReadOnlyList<string> Assigning => _assigning ??= registry.All
        .SelectMany(d => d.Actions.Where(a => a.FieldList.Any(f => f.Updates == "assignee")).Select(a => a.Id)).Distinct().ToList();
    private IReadOnlyList<string>? _assigning;

    /// <summary>The bound of "due soon": two working hours from now on the calendar (Friday 16:30 reaches Monday).</summary>
    public async Task<DateTimeOffset> SoonAsync(DateTimeOffset now) =>
        new ClockMath(workflow.CurrentDefinition, await calendars.GetAsync(db)).Calculator.AddWorkingTime(now, TimeSpan.FromHours(SoonWorkingHours)).ToUniversalTime();

    public async Task<TodoCounts> CountAsync(CurrentUser me)
    {
        var now = time.GetUtcNow();
        return await lifecycle.TodoCountsAsync(me.Id, me.Role == Roles.Supervisor ? me.Districts : null, Assigning, now - NewFor, await SoonAsync(now));
    }

    public Task<IReadOnlyList<NewAssignmentRow>> NewAssignmentsAsync(CurrentUser me) =>
        lifecycle.NewAssignmentsAsync(me.Id, Assigning, time.GetUtcNow() - NewFor, ListLimit);

    public async Task<IReadOnlyList<LifecycleRow>> DueSoonAsync(CurrentUser me) =>
        await lifecycle.DueSoonAsync(me.Id, await SoonAsync(time.GetUtcNow()), ListLimit);
}
