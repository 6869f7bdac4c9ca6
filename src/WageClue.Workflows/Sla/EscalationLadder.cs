using WageClue.Workflows.Definitions;

namespace WageClue.Workflows.Sla;

/// <summary>One rung of the ladder for one clock: the level and the instant it falls due.</summary>
public sealed record EscalationPoint(EscalationLevelDefinition Level, DateTimeOffset At);

/// <summary>What the sweep does with one clock now: levels to escalate, warnings that came too late, and the next point.</summary>
public sealed record EscalationStep(
    IReadOnlyList<EscalationPoint> Escalate,
    IReadOnlyList<EscalationPoint> Superseded,
    int LevelReached,
    EscalationPoint? Next);

/// <summary>
/// The definition's escalation ladder (DOMAIN.md) applied to one deadline on the working-day calendar: a warning
/// a working time before it, the breach at it, the second level a working day after it. Pure, so the sweep, the
/// intake and the calendar recomputation all agree on when each point falls.
/// </summary>
public sealed class EscalationLadder(IReadOnlyList<EscalationLevelDefinition> levels, DeadlineCalculator calculator)
{
    private readonly IReadOnlyList<EscalationLevelDefinition> _levels = levels.OrderBy(l => l.Level).ToList();

    public IReadOnlyList<EscalationPoint> Points(DateTimeOffset dueAt) =>
        _levels.Select(l => new EscalationPoint(l, At(l.Offset, dueAt))).ToList();

    /// <summary>The first point above <paramref name="levelReached"/>, or null when the ladder is done.</summary>
    public EscalationPoint? Next(DateTimeOffset dueAt, int levelReached) =>
        Points(dueAt).FirstOrDefault(p => p.Level.Level > levelReached);

    /// <summary>
    /// Every level above <paramref name="levelReached"/> whose point has come is handled now, once. A level meant to
    /// come before the deadline (a warning) is superseded when the deadline has already passed: after an outage
    /// nobody should be told "due in two hours" about a clue that is overdue; the breach notice says it instead.
    /// </summary>
    public EscalationStep Step(DateTimeOffset dueAt, int levelReached, DateTimeOffset now)
    {
        var open = Points(dueAt).Where(p => p.Level.Level > levelReached).ToList();
        var due = open.Where(p => p.At <= now).ToList();
        var superseded = due.Where(p => p.At < dueAt && now >= dueAt).ToList();
        return new EscalationStep(
            due.Except(superseded).ToList(),
            superseded,
            due.Count > 0 ? due.Max(p => p.Level.Level) : levelReached,
            open.FirstOrDefault(p => p.At > now));
    }

    private DateTimeOffset At(EscalationOffset offset, DateTimeOffset dueAt)
    {
        var at = dueAt;
        if (offset.WorkingDays is { } days and not 0) at = calculator.AddWorkingDays(at, days);
        if (offset.WorkingHours is { } hours and not 0) at = calculator.AddWorkingTime(at, TimeSpan.FromHours(hours));
        return at;
    }
}
