namespace WageClue.Workflows.Engine;

public sealed record Actor(long UserId, string Role);

/// <summary>What the engine says about one action on one clue. It decides; the caller does the I/O in one transaction.</summary>
public abstract record Decision;

/// <param name="Fields">The action's fields, checked and normalised (text trimmed, money as decimal, ids as long).</param>
/// <param name="Updates">Clue attributes the action sets (see the fields' "updates" in the definition).</param>
/// <param name="MetClocks">Clocks this action meets, if they are still running.</param>
/// <param name="EntersFinalState">Every clock still running stops, unmet, when the clue enters a final state.</param>
public sealed record Allowed(
    string FromState,
    string ToState,
    IReadOnlyDictionary<string, object?> Fields,
    IReadOnlyDictionary<string, object?> Updates,
    IReadOnlyList<string> MetClocks,
    bool EntersFinalState) : Decision;

public sealed record Refused(RefusalKind Kind, string Message, IReadOnlyDictionary<string, string[]>? FieldErrors = null) : Decision;

public enum RefusalKind
{
    /// <summary>The definition has no such action.</summary>
    UnknownAction,
    /// <summary>The caller's role may never fire this action.</summary>
    RoleForbidden,
    /// <summary>The action exists but not from the clue's current state.</summary>
    NotAllowedInState,
    /// <summary>A required field is missing, a value is wrong, or a field is unknown.</summary>
    InvalidFields,
}
