using System.Globalization;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;

namespace WageClue.Workflows.Sla;

/// <summary>The deadline arithmetic of one definition on one calendar: the calculator and the ladder, built together.</summary>
public sealed class ClockMath(WorkflowDefinition definition, WorkingCalendar calendar)
{
    public DeadlineCalculator Calculator { get; } = ClockPlanner.Calculator(definition, calendar);

    public WorkingCalendar Calendar => calendar;

    private EscalationLadder? _ladder;

    public EscalationLadder Ladder => _ladder ??= new EscalationLadder(definition.Escalation, Calculator);

    /// <summary>
    /// When the sweep should next look at a round due at <paramref name="due"/> that reached <paramref name="level"/>:
    /// a duty's next rung of the ladder; a period's end, where its OnDue action fires.
    /// </summary>
    public DateTimeOffset? NextPoint(ClockDefinition? rule, DateTimeOffset due, int level) =>
        rule is { IsPeriod: true } ? (rule.OnDue != null && level == 0 ? due : null) : Ladder.Next(due, level)?.At;
}

public static class ClockPlanner
{
    public static DeadlineCalculator Calculator(WorkflowDefinition definition, WorkingCalendar calendar) =>
        new(calendar, TimeZones.Find(definition.TimeZone), new BusinessHours(
            definition.BusinessHours.Select(p => new BusinessPeriod(ParseTime(p.Start), ParseTime(p.End))).ToList()));

    public static EscalationLadder Ladder(WorkflowDefinition definition, DeadlineCalculator calculator) =>
        new(definition.Escalation, calculator);

    /// <summary>The clocks a definition starts on receipt, for an instance received at <paramref name="receivedAt"/>.</summary>
    /// <param name="dates">The dates a clock counts from instead of the receipt (its "from"), by name.</param>
    public static ClockPlan Plan(WorkflowDefinition definition, WorkingCalendar calendar, DateTimeOffset receivedAt,
        IReadOnlyDictionary<string, DateOnly>? dates = null)
    {
        var math = new ClockMath(definition, calendar);
        var zone = TimeZones.Find(definition.TimeZone);
        var clocks = definition.Clocks.Where(c => c.StartsOnReceipt).Select(c =>
        {
            var start = c.From is { } from
                ? TimeZones.AtLocal(zone, dates?.GetValueOrDefault(from) ?? throw new ArgumentException($"Clock '{c.Id}' counts from '{from}', which was not given.", nameof(dates)), TimeOnly.MinValue)
                : receivedAt;
            var deadline = math.Calculator.GetDeadline(start, c);
            return new PlannedClock(c.Id, c.Name, deadline.DueAt, deadline.Provisional, math.NextPoint(c, deadline.DueAt, 0), start);
        }).ToList();
        return new ClockPlan(math.Calculator.GetReceiptDay(receivedAt), clocks);
    }

    private static TimeOnly ParseTime(string hhmm) => TimeOnly.ParseExact(hhmm, "HH:mm", CultureInfo.InvariantCulture);
}

public static class ClockStatus
{
    public const string Running = "running";
    public const string Overdue = "overdue";
    public const string Paused = "paused";
    public const string Met = "met";
    public const string MetLate = "met-late";
    /// <summary>The instance ended (rejected, merged, closed, transferred) before the clock was met: no longer applies.</summary>
    public const string Cancelled = "cancelled";

    public static string Of(DateTimeOffset dueAt, DateTimeOffset? metAt, DateTimeOffset? cancelledAt, DateTimeOffset now, DateTimeOffset? pausedAt = null) =>
        metAt is { } met ? (met <= dueAt ? Met : MetLate)
        : cancelledAt != null ? Cancelled
        : pausedAt != null ? Paused
        : now < dueAt ? Running : Overdue;
}

/// <param name="FirstEscalationAt">When the sweep first looks at the clock: the lowest rung of the ladder, if any.</param>
/// <param name="StartedAt">What the clock counts from: the receipt, or the date its "from" names (at that day's start).</param>
public sealed record PlannedClock(string Clock, string Name, DateTimeOffset DueAt, bool Provisional, DateTimeOffset? FirstEscalationAt, DateTimeOffset StartedAt);

public sealed record ClockPlan(ReceiptDay ReceiptDay, IReadOnlyList<PlannedClock> Clocks);

