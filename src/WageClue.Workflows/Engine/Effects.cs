namespace WageClue.Workflows.Engine;

/// <summary>
/// What a decision does to one round of a clock. The engine computes every due time; the caller stores the effects
/// as they are, in the transaction that moves the instance (ClockStore.ApplyAsync), and records them in the history.
/// </summary>
public abstract record ClockEffect(string Clock, int Round);

/// <param name="FirstEscalationAt">When the sweep first looks at the clock: the lowest rung of the ladder.</param>
public sealed record StartClock(string Clock, int Round, DateTimeOffset StartedAt, DateTimeOffset DueAt, bool Provisional, DateTimeOffset? FirstEscalationAt)
    : ClockEffect(Clock, Round);

/// <param name="Late">Met after its due time (met-late): both facts stay visible.</param>
/// <param name="WithinExtension">Met after the original due time but within an approved extension.</param>
public sealed record MeetClock(string Clock, int Round, bool Late, bool WithinExtension) : ClockEffect(Clock, Round);

/// <summary>The instance ended (rejected, merged, closed, transferred out) before the clock was met.</summary>
public sealed record CancelClock(string Clock, int Round) : ClockEffect(Clock, Round);

/// <param name="Remaining">Working time left at the pause (negative when already overdue), restored on resume.</param>
public sealed record PauseClock(string Clock, int Round, TimeSpan Remaining) : ClockEffect(Clock, Round);

/// <param name="DueAt">Now plus exactly the working time that was left.</param>
/// <param name="OriginalDueAt">An extended clock's original due time, moved by the same pause.</param>
public sealed record ResumeClock(string Clock, int Round, DateTimeOffset DueAt, DateTimeOffset? OriginalDueAt, DateTimeOffset? NextEscalationAt)
    : ClockEffect(Clock, Round);

public sealed record RequestExtension(string Clock, int Round, int Days) : ClockEffect(Clock, Round);

/// <param name="OriginalDueAt">The due time before the first extension (kept across later ones).</param>
public sealed record ExtendClock(string Clock, int Round, int Days, DateTimeOffset DueBefore, DateTimeOffset DueAfter, DateTimeOffset OriginalDueAt,
    DateTimeOffset? NextEscalationAt) : ClockEffect(Clock, Round);

public sealed record RefuseExtension(string Clock, int Round) : ClockEffect(Clock, Round);

/// <summary>The instance moves to another district: its clocks are listed there from now on.</summary>
public sealed record MoveClocks(string DistrictId) : ClockEffect("*", 0);
