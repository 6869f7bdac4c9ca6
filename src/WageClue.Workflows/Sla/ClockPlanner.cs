using System.Globalization;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;

namespace WageClue.Workflows.Sla;

/// <param name="FirstEscalationAt">When the sweep first looks at the clock: the lowest rung of the ladder, if any.</param>
public sealed record PlannedClock(string Clock, string Name, DateTimeOffset DueAt, bool Provisional, DateTimeOffset? FirstEscalationAt);

public sealed record ClockPlan(ReceiptDay ReceiptDay, IReadOnlyList<PlannedClock> Clocks);

/// <summary>The deadlines a definition gives a clue received at a given instant, on a given calendar.</summary>
public static class ClockPlanner
{
    public static DeadlineCalculator Calculator(WorkflowDefinition definition, WorkingCalendar calendar) =>
        new(calendar, TimeZones.Find(definition.TimeZone), new BusinessHours(
            definition.BusinessHours.Select(p => new BusinessPeriod(ParseTime(p.Start), ParseTime(p.End))).ToList()));

    public static EscalationLadder Ladder(WorkflowDefinition definition, DeadlineCalculator calculator) =>
        new(definition.Escalation, calculator);

    public static ClockPlan Plan(WorkflowDefinition definition, WorkingCalendar calendar, DateTimeOffset receivedAt)
    {
        var calculator = Calculator(definition, calendar);
        var ladder = Ladder(definition, calculator);
        var clocks = definition.Clocks.Select(c =>
        {
            var deadline = calculator.GetDeadline(receivedAt, c.WorkingDaysAfterReceipt);
            return new PlannedClock(c.Id, c.Name, deadline.DueAt, deadline.Provisional, ladder.Next(deadline.DueAt, 0)?.At);
        }).ToList();
        return new ClockPlan(calculator.GetReceiptDay(receivedAt), clocks);
    }

    private static TimeOnly ParseTime(string hhmm) => TimeOnly.ParseExact(hhmm, "HH:mm", CultureInfo.InvariantCulture);
}

public static class ClockStatus
{
    public const string Running = "running";
    public const string Overdue = "overdue";
    public const string Met = "met";
    public const string MetLate = "met-late";
    /// <summary>The clue ended (rejected, merged, closed) before the clock was met: no longer applies.</summary>
    public const string Cancelled = "cancelled";

    public static string Of(DateTimeOffset dueAt, DateTimeOffset? metAt, DateTimeOffset? cancelledAt, DateTimeOffset now) =>
        metAt is { } met ? (met <= dueAt ? Met : MetLate)
        : cancelledAt != null ? Cancelled
        : now < dueAt ? Running : Overdue;
}
