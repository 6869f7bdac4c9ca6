namespace WageClue.Workflows.Engine;

public sealed record Actor(long UserId, string Role);

/// <summary>What the engine says about one action on one instance. It decides; the caller does the I/O in one transaction.</summary>
public abstract record Decision;

/// <param name="Fields">The action's fields, checked and normalised (text trimmed, money as decimal, ids as long).</param>
/// <param name="Updates">Subject attributes the action sets (the fields' "updates" and the action's "sets").</param>
/// <param name="Clocks">Every clock effect, in order, with the due times already computed.</param>
/// <param name="Entry">The history entry the caller appends.</param>
/// <param name="DistrictId">The instance's district after the action (changed by 移交).</param>
/// <param name="Notify">Audiences the action tells at once.</param>
public sealed record Allowed(
    string FromState,
    string ToState,
    IReadOnlyDictionary<string, object?> Fields,
    IReadOnlyDictionary<string, object?> Updates,
    IReadOnlyList<ClockEffect> Clocks,
    ActionTaken Entry,
    string DistrictId,
    IReadOnlyList<string> Notify) : Decision
{
    public bool ChangesAssignee => Updates.ContainsKey(Attributes.Assignee);

    public long? NewAssigneeId => Updates.GetValueOrDefault(Attributes.Assignee) as long?;
}

public sealed record Refused(RefusalKind Kind, string Message, IReadOnlyDictionary<string, string[]>? FieldErrors = null) : Decision;

public enum RefusalKind
{
    /// <summary>The definition has no such action.</summary>
    UnknownAction,
    /// <summary>The caller's role may never fire this action.</summary>
    RoleForbidden,
    /// <summary>The action exists but not from the instance's current state (or its guard does not hold).</summary>
    NotAllowedInState,
    /// <summary>A required field is missing, a value is wrong, or a field is unknown.</summary>
    InvalidFields,
}

/// <summary>Attributes every workflow instance has, whatever its subject; the rest belong to the subject.</summary>
public static class Attributes
{
    public const string Assignee = "assignee";
}
