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
}

public static class ClockPlanner
{
    public static DeadlineCalculator Calculator(WorkflowDefinition definition, WorkingCalendar calendar) =>
        new(calendar, TimeZones.Find(definition.TimeZone), new BusinessHours(
            definition.BusinessHours.Select(p => new BusinessPeriod(ParseTime(p.Start), ParseTime(p.End))).ToList()));

    public static EscalationLadder Ladder(WorkflowDefinition definition, DeadlineCalculator calculator) =>
        new(definition.Escalation, calculator);

    /// <summary>The clocks a definition starts on receipt, for an instance received at <paramref name="receivedAt"/>.</summary>
    public static ClockPlan Plan(WorkflowDefinition definition, WorkingCalendar calendar, DateTimeOffset receivedAt)
    {
        var math = new ClockMath(definition, calendar);
        var clocks = definition.Clocks.Where(c => c.StartsOnReceipt).Select(c =>
        {
            var deadline = math.Calculator.GetDeadline(receivedAt, c);
            return new PlannedClock(c.Id, c.Name, deadline.DueAt, deadline.Provisional, math.Ladder.Next(deadline.DueAt, 0)?.At);
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
public sealed record PlannedClock(string Clock, string Name, DateTimeOffset DueAt, bool Provisional, DateTimeOffset? FirstEscalationAt);

public sealed record ClockPlan(ReceiptDay ReceiptDay, IReadOnlyList<PlannedClock> Clocks);

