using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Workflows.Engine;

/// <summary>
/// The clock rules of one decision, in one place: which rounds an action meets, pauses, resumes, extends, cancels
/// and starts, with every due time computed on the working-day calendar. Collects the effects and the history
/// lines that describe them.
/// </summary>
internal sealed class ClockEffectsBuilder(WorkflowDefinition definition, InstanceSnapshot instance, ClockMath math, DateTimeOffset now)
{
    private readonly List<ClockEffect> _effects = [];
    private readonly List<ClockMet> _met = [];
    private readonly List<string> _cancelled = [];
    private readonly List<ClockStarted> _started = [];
    private readonly List<ClockPaused> _paused = [];
    private readonly List<ClockResumed> _resumed = [];
    private readonly HashSet<(string, int)> _closed = [];
    private ExtensionChange? _extension;

    public IReadOnlyList<ClockEffect> Effects => _effects;

    private DeadlineCalculator Calc => math.Calculator;

    private DateTimeOffset Local(DateTimeOffset t) => Calc.ToLocal(t);

    /// <summary>Every open round of each clock the action meets. A paused clock is judged by the time it had left.</summary>
    public void Meet(string action)
    {
        foreach (var rule in definition.Clocks.Where(c => c.MetBy.Contains(action)))
        foreach (var k in instance.Open(rule.Id))
        {
            var late = k.IsPaused ? k.PausedRemaining < TimeSpan.Zero : now > k.DueAt;
            var withinExtension = !late && k.OriginalDueAt is { } original && now > original;
            _effects.Add(new MeetClock(k.Clock, k.Round, late, withinExtension));
            _met.Add(new ClockMet(k.Clock, late, k.Round > 1 ? k.Round : null, withinExtension ? true : null));
            _closed.Add((k.Clock, k.Round));
        }
    }

    public void PauseAll()
    {
        foreach (var k in instance.Clocks.Where(c => c.IsRunning && !_closed.Contains((c.Clock, c.Round))))
        {
            var remaining = Calc.WorkingTimeBetween(now, k.DueAt);
            _effects.Add(new PauseClock(k.Clock, k.Round, remaining));
            _paused.Add(new ClockPaused(k.Clock, k.Round, Math.Round(remaining.TotalMinutes, 2)));
        }
    }

    /// <summary>Each paused round runs again with exactly the working time it had left, counted from now.</summary>
    public void ResumeAll()
    {
        foreach (var k in instance.Clocks.Where(c => c.IsPaused && !_closed.Contains((c.Clock, c.Round))))
        {
            var due = Calc.AddWorkingTime(now, k.PausedRemaining!.Value);
            DateTimeOffset? original = k.OriginalDueAt is { } o ? Calc.AddWorkingTime(now, Calc.WorkingTimeBetween(k.PausedAt!.Value, o)) : null;
            _effects.Add(new ResumeClock(k.Clock, k.Round, due, original, math.NextPoint(definition.FindClock(k.Clock), due, k.EscalationLevel)));
            _resumed.Add(new ClockResumed(k.Clock, k.Round, Local(due)));
        }
    }

    public void Request(ClockSnapshot k, int days)
    {
        _effects.Add(new RequestExtension(k.Clock, k.Round, days));
        _extension = new ExtensionChange(k.Clock, k.Round, days, "requested", Local(k.DueAt));
    }

    /// <summary>The due time moves by the requested working days, at the same time of day (a 17:30 deadline stays at 17:30).</summary>
    public void Approve()
    {
        var k = instance.Clocks.First(c => c.IsOpen && c.ExtensionRequestDays != null);
        var days = k.ExtensionRequestDays!.Value;
        var due = Calc.AddWorkingDays(k.DueAt, days);
        _effects.Add(new ExtendClock(k.Clock, k.Round, days, k.DueAt, due, k.OriginalDueAt ?? k.DueAt, k.IsPaused ? null : math.NextPoint(definition.FindClock(k.Clock), due, k.EscalationLevel)));
        _extension = new ExtensionChange(k.Clock, k.Round, days, "approved", Local(k.DueAt), Local(due));
    }

    public void Refuse()
    {
        var k = instance.Clocks.First(c => c.IsOpen && c.ExtensionRequestDays != null);
        _effects.Add(new RefuseExtension(k.Clock, k.Round));
        _extension = new ExtensionChange(k.Clock, k.Round, k.ExtensionRequestDays!.Value, "refused", Local(k.DueAt));
    }

    public void Move(string districtId) => _effects.Add(new MoveClocks(districtId));

    /// <summary>A transfer that restarts the clocks: each open round ends and a new one starts from now, with its full time.</summary>
    public void RestartOpen()
    {
        foreach (var k in instance.Clocks.Where(c => c.IsOpen && !_closed.Contains((c.Clock, c.Round))).ToList())
        {
            Cancel(k);
            if (definition.FindClock(k.Clock) is { } rule) StartRound(rule, instance.LastRound(k.Clock) + 1);
        }
    }

    /// <summary>Entering a final state: every round still open stops, unmet.</summary>
    public void CancelOpen()
    {
        foreach (var k in instance.Clocks.Where(c => c.IsOpen && !_closed.Contains((c.Clock, c.Round))))
            Cancel(k);
    }

    /// <summary>Clocks that start on this action, or on entering <paramref name="enteredState"/>: each a new round.</summary>
    public void Start(string action, string? enteredState)
    {
        foreach (var rule in definition.Clocks.Where(c => c.StartsOn(action, enteredState)))
            StartRound(rule, Math.Max(instance.LastRound(rule.Id), _started.Where(s => s.Clock == rule.Id).Select(s => s.Round).DefaultIfEmpty(0).Max()) + 1);
    }

    public ActionTaken Entry(IReadOnlyDictionary<string, object?> fields) => new(
        fields,
        ClocksMet: _met.Count > 0 ? _met : null,
        ClocksCancelled: _cancelled.Count > 0 ? _cancelled : null,
        ClocksStarted: _started.Count > 0 ? _started : null,
        ClocksPaused: _paused.Count > 0 ? _paused : null,
        ClocksResumed: _resumed.Count > 0 ? _resumed : null,
        Extension: _extension);

    private void Cancel(ClockSnapshot k)
    {
        _effects.Add(new CancelClock(k.Clock, k.Round));
        _cancelled.Add(k.Clock);
        _closed.Add((k.Clock, k.Round));
    }

    private void StartRound(ClockDefinition rule, int round)
    {
        var deadline = Calc.GetDeadline(now, rule);
        _effects.Add(new StartClock(rule.Id, round, now, deadline.DueAt, deadline.Provisional, math.NextPoint(rule, deadline.DueAt, 0)));
        _started.Add(new ClockStarted(rule.Id, round, Local(deadline.DueAt)));
    }
}
