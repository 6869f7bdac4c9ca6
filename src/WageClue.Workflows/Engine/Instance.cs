namespace WageClue.Workflows.Engine;

/// <summary>What the engine needs to know of a workflow instance to decide an action: pure data, read by the caller.</summary>
/// <param name="Attributes">Subject attributes that guards may read (a clue's route, its latest satisfaction).</param>
public sealed record InstanceSnapshot(
    string State,
    string? PreviousState,
    int Version,
    string DistrictId,
    long? AssigneeId,
    IReadOnlyList<ClockSnapshot> Clocks,
    IReadOnlyDictionary<string, string?>? Attributes = null)
{
    public string? Attribute(string name) => Attributes?.GetValueOrDefault(name);

    /// <summary>Rounds of a clock that are still counting or paused (not met, not cancelled).</summary>
    public IEnumerable<ClockSnapshot> Open(string clock) => Clocks.Where(c => c.Clock == clock && c.IsOpen);

    public int LastRound(string clock) => Clocks.Where(c => c.Clock == clock).Select(c => c.Round).DefaultIfEmpty(0).Max();
}

/// <summary>One round of a clock as stored. A clock started again (a second urge, a second 办结) gets the next round.</summary>
/// <param name="OriginalDueAt">The due time before any extension; null when never extended.</param>
/// <param name="PausedRemaining">While paused: the working time that was left (negative when it was already overdue).</param>
/// <param name="ExtensionRequestDays">A pending extension request's working days; null when none is pending.</param>
public sealed record ClockSnapshot(
    string Clock,
    int Round,
    DateTimeOffset StartedAt,
    DateTimeOffset DueAt,
    DateTimeOffset? MetAt = null,
    DateTimeOffset? CancelledAt = null,
    DateTimeOffset? PausedAt = null,
    TimeSpan? PausedRemaining = null,
    DateTimeOffset? OriginalDueAt = null,
    int Extensions = 0,
    int? ExtensionRequestDays = null,
    int EscalationLevel = 0)
{
    public bool IsOpen => MetAt == null && CancelledAt == null;

    /// <summary>Counting down now: open and not paused. The SQL form of this condition is ClockStore.Running.</summary>
    public bool IsRunning => IsOpen && PausedAt == null;

    public bool IsPaused => IsOpen && PausedAt != null;
}
