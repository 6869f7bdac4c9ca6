using System.Text.Json.Serialization;

namespace WageClue.Workflows.Definitions;

/// <summary>
/// A published workflow definition, read from <c>workflows/{id}.v{version}.json</c>. Immutable once published:
/// a change is a new version, and each clue stays pinned to the version it started with.
/// </summary>
public sealed record WorkflowDefinition(
    string Id,
    int Version,
    string Name,
    string? Description,
    string TimeZone,
    IReadOnlyList<BusinessPeriodDefinition> BusinessHours,
    string InitialState,
    IReadOnlyList<StateDefinition> States,
    IReadOnlyList<ActionDefinition> Actions,
    IReadOnlyList<ClockDefinition> Clocks,
    IReadOnlyList<EscalationLevelDefinition> Escalation,
    DigestDefinition? Digest)
{
    public StateDefinition? FindState(string id) => States.FirstOrDefault(s => s.Id == id);

    public ActionDefinition? FindAction(string id) => Actions.FirstOrDefault(a => a.Id == id);

    public bool IsFinal(string state) => FindState(state)?.Final ?? false;

    /// <summary>The states a transition's "from" list names; "*" stands for every state that is not final.</summary>
    public IEnumerable<string> ExpandFrom(TransitionDefinition transition) =>
        transition.From.SelectMany(f => f == "*" ? States.Where(s => !s.Final).Select(s => s.Id) : [f]).Distinct();
}

public sealed record BusinessPeriodDefinition(string Start, string End);

public sealed record StateDefinition(string Id, string Name, bool Final = false);

public sealed record ActionDefinition(
    string Id,
    string Name,
    IReadOnlyList<string> Roles,
    IReadOnlyList<FieldDefinition>? Fields,
    IReadOnlyList<TransitionDefinition> Transitions)
{
    [JsonIgnore]
    public IReadOnlyList<FieldDefinition> FieldList => Fields ?? [];
}

/// <summary>An action moves the clue from any of <see cref="From"/> to <see cref="To"/>, or leaves the state as it is when <see cref="Stay"/>.</summary>
public sealed record TransitionDefinition(IReadOnlyList<string> From, string? To, bool Stay = false);

public sealed record FieldDefinition(
    string Name,
    string Label,
    string Type,
    bool Required = false,
    int? MaxLength = null,
    long? Min = null,
    IReadOnlyList<OptionDefinition>? Options = null,
    string? Updates = null);

public sealed record OptionDefinition(string Value, string Label);

public sealed record ClockDefinition(string Id, string Name, string StartsAt, int WorkingDaysAfterReceipt, IReadOnlyList<string> MetBy);

public sealed record EscalationLevelDefinition(
    int Level,
    string Id,
    string Name,
    EscalationOffset Offset,
    IReadOnlyList<string> Notify,
    IReadOnlyList<string> Channels);

/// <summary>When an escalation point lies relative to the deadline: negative is before, in working time.</summary>
public sealed record EscalationOffset(int? WorkingHours, int? WorkingDays);

public sealed record DigestDefinition(string At, bool WorkingDaysOnly, IReadOnlyList<string> Notify);

public static class Roles
{
    public const string Caseworker = "caseworker";
    public const string Supervisor = "supervisor";
    public const string Leader = "leader";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Caseworker, Supervisor, Leader, Admin];

    public static string ChineseName(string role) => role switch
    {
        Caseworker => "经办人",
        Supervisor => "科室/区县负责人",
        Leader => "局领导",
        Admin => "系统管理员",
        _ => role,
    };
}

/// <summary>Field types an action may collect; see workflows/README.md.</summary>
public static class FieldTypes
{
    public const string Text = "text";
    public const string Enum = "enum";
    public const string Money = "money";
    public const string Integer = "integer";
    public const string User = "user";
    public const string Clue = "clue";
}
