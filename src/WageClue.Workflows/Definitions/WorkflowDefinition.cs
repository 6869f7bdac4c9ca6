using System.Text.Json.Serialization;

namespace WageClue.Workflows.Definitions;

/// <summary>
/// A published workflow definition, read from <c>workflows/{id}.v{version}.json</c>. Immutable once published:
/// a change is a new version, and each workflow instance stays pinned to the version it started with.
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
    DigestDefinition? Digest,
    TransferSettings? Transfer = null)
{
    public StateDefinition? FindState(string id) => States.FirstOrDefault(s => s.Id == id);

    public ActionDefinition? FindAction(string id) => Actions.FirstOrDefault(a => a.Id == id);

    public ClockDefinition? FindClock(string id) => Clocks.FirstOrDefault(c => c.Id == id);

    public bool IsFinal(string state) => FindState(state)?.Final ?? false;

    /// <summary>What happens to running clocks when an instance moves to another district (首问负责: they continue).</summary>
    [JsonIgnore]
    public string OnDistrictTransfer => Transfer?.Clocks ?? TransferSettings.Continue;

    /// <summary>The states a transition's "from" list names; "*" stands for every state that is not final.</summary>
    public IEnumerable<string> ExpandFrom(TransitionDefinition transition) =>
        transition.From.SelectMany(f => f == "*" ? States.Where(s => !s.Final).Select(s => s.Id) : [f]).Distinct();
}

public sealed record BusinessPeriodDefinition(string Start, string End);

public sealed record StateDefinition(string Id, string Name, bool Final = false);

/// <param name="Effect">What the action does to the clocks beyond meeting and starting them (see <see cref="ActionEffects"/>).</param>
/// <param name="Sets">Constant attribute values the action sets (立案 sets the route to enforcement).</param>
/// <param name="RequiresRunning">The action is offered only while one of these clocks runs (a reply needs an urge).</param>
/// <param name="Guard">The action is offered only when a subject attribute has one of the listed values.</param>
/// <param name="Notify">Audiences told at once by email when the action is taken (the assignee of an urge).</param>
/// <param name="RequiresClosed">The action is offered only once each of these clocks has started and no round of it is
/// still counting: met, or past its due time (a decision waits for the objection window to close).</param>
/// <param name="Waits">The action is offered only once a number of calendar months has passed since the latest of some dates.</param>
public sealed record ActionDefinition(
    string Id,
    string Name,
    IReadOnlyList<string> Roles,
    IReadOnlyList<FieldDefinition>? Fields,
    IReadOnlyList<TransitionDefinition> Transitions,
    string? Effect = null,
    IReadOnlyDictionary<string, string>? Sets = null,
    IReadOnlyList<string>? RequiresRunning = null,
    AttributeGuard? Guard = null,
    IReadOnlyList<string>? Notify = null,
    IReadOnlyList<string>? RequiresClosed = null,
    WaitRule? Waits = null)
{
    [JsonIgnore]
    public IReadOnlyList<FieldDefinition> FieldList => Fields ?? [];
}

public sealed record AttributeGuard(string Attribute, IReadOnlyList<string> In);

/// <summary>
/// 满6个月: offered only from the day <see cref="Months"/> calendar months after the latest of <see cref="After"/>, each
/// a date attribute (<c>attribute:correctedOn</c>) or the start of a clock's latest round (<c>clock:term</c>). A date
/// not yet known holds the action back.
/// </summary>
public sealed record WaitRule(int Months, IReadOnlyList<string> After, string Label);

/// <summary>
/// An action moves the instance from any of <see cref="From"/> to <see cref="To"/>, leaves the state as it is when
/// <see cref="Stay"/>, or returns to the state it was in before the current one when <see cref="Back"/> (恢复 after 中止).
/// </summary>
public sealed record TransitionDefinition(IReadOnlyList<string> From, string? To, bool Stay = false, bool Back = false);

public sealed record FieldDefinition(
    string Name,
    string Label,
    string Type,
    bool Required = false,
    int? MaxLength = null,
    long? Min = null,
    long? Max = null,
    IReadOnlyList<OptionDefinition>? Options = null,
    string? Updates = null)
{
    /// <summary>A text longer than 200 characters is a paragraph: a text area on the form, line breaks allowed.</summary>
    public bool Multiline => Type == FieldTypes.Text && MaxLength > 200;
}

public sealed record OptionDefinition(string Value, string Label);

/// <summary>
/// A time limit. It starts on an event (<see cref="StartsAt"/>: <c>receipt</c>, <c>enter:STATE</c> or
/// <c>action:ACTION</c>) and is due after <see cref="WorkingDays"/> working days at close of business (the start
/// day not counted, 民法典 第二百零一条) or after <see cref="WorkingHours"/> of working time. Version 1 files name
/// the days <c>workingDaysAfterReceipt</c>; both read the same.
/// </summary>
public sealed record ClockDefinition(
    string Id,
    string Name,
    string StartsAt,
    IReadOnlyList<string> MetBy,
    int? WorkingDaysAfterReceipt = null,
    int? WorkingDays = null,
    int? WorkingHours = null,
    bool AtCloseOfBusiness = true,
    ExtensionRule? Extension = null,
    string? Kind = null,
    string? OnDue = null,
    int? CalendarYears = null,
    string? From = null,
    IReadOnlyList<string>? AlsoStartsAt = null)
{
    public const string Receipt = "receipt";

    /// <summary>A duty (default) is the bureau's time limit: escalated, counted in compliance, listed when overdue.</summary>
    public const string Duty = "duty";

    /// <summary>
    /// A period is time granted or imposed (the employer's objection window, the listing's term): never escalated or
    /// counted; when it runs out, the sweep fires <see cref="OnDue"/> as the system.
    /// </summary>
    public const string Period = "period";

    [JsonIgnore]
    public bool IsPeriod => Kind == Period;

    /// <summary>Every event that starts a round: <see cref="StartsAt"/> and <see cref="AlsoStartsAt"/>.</summary>
    [JsonIgnore]
    public IEnumerable<string> StartEvents => AlsoStartsAt is null ? [StartsAt] : [StartsAt, .. AlsoStartsAt];

    public bool StartsOn(string action, string? enteredState) => StartEvents.Any(e =>
        e == $"action:{action}" || (enteredState != null && e == $"enter:{enteredState}"));

    [JsonIgnore]
    public int Days => WorkingDays ?? WorkingDaysAfterReceipt ?? 0;

    [JsonIgnore]
    public bool StartsOnReceipt => StartsAt == Receipt;

    /// <summary>The state whose entry starts the clock, or null.</summary>
    [JsonIgnore]
    public string? StartsOnEntering => StartsAt.StartsWith("enter:", StringComparison.Ordinal) ? StartsAt["enter:".Length..] : null;

    /// <summary>The action that starts the clock (a new round each time), or null.</summary>
    [JsonIgnore]
    public string? StartsOnAction => StartsAt.StartsWith("action:", StringComparison.Ordinal) ? StartsAt["action:".Length..] : null;
}

/// <summary>延期: at most <see cref="MaxTimes"/> approved extensions of at most <see cref="MaxWorkingDays"/> each, decided by <see cref="Approvers"/>.</summary>
public sealed record ExtensionRule(int MaxTimes, int MaxWorkingDays, IReadOnlyList<string> Approvers);

/// <summary>On a transfer between districts the running clocks <c>continue</c> (default) or <c>restart</c> from the transfer.</summary>
public sealed record TransferSettings(string Clocks)
{
    public const string Continue = "continue";
    public const string Restart = "restart";
}

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

/// <summary>The effects an action may name in the definition's "effect".</summary>
public static class ActionEffects
{
    /// <summary>中止: every running clock stops, keeping the working time it had left.</summary>
    public const string PauseClocks = "pause-clocks";
    /// <summary>恢复: every paused clock runs again with exactly the working time it had left.</summary>
    public const string ResumeClocks = "resume-clocks";
    /// <summary>延期申请: fields <c>clock</c>, <c>days</c>, <c>reason</c>; asked before the clock's deadline.</summary>
    public const string RequestExtension = "request-extension";
    /// <summary>批准延期: the clock's due time moves by the requested working days.</summary>
    public const string ApproveExtension = "approve-extension";
    /// <summary>不予延期: the request is closed; the clock is unchanged.</summary>
    public const string RefuseExtension = "refuse-extension";
    /// <summary>移交: field <c>districtId</c>; the instance goes to that district's queue (no assignee).</summary>
    public const string TransferDistrict = "transfer-district";

    public static readonly IReadOnlyList<string> All = [PauseClocks, ResumeClocks, RequestExtension, ApproveExtension, RefuseExtension, TransferDistrict];
}

public static class Roles
{
    public const string Caseworker = "caseworker";
    public const string Supervisor = "supervisor";
    public const string Leader = "leader";
    public const string Admin = "admin";
    /// <summary>Another system (the 12345 hotline): registers clues, reads back its own, nothing else.</summary>
    public const string Integration = "integration";
    /// <summary>Reads the audit logs (personal-data views, user administration) and nothing else; not an administrator (GB/T 22239).</summary>
    public const string Auditor = "auditor";
    /// <summary>The service itself, firing a period's <see cref="ClockDefinition.OnDue"/> action; no user has this role.</summary>
    public const string System = "system";

    public static readonly IReadOnlyList<string> All = [Caseworker, Supervisor, Leader, Admin, Integration, Auditor];

    public static string ChineseName(string role) => role switch
    {
        Caseworker => "经办人",
        Supervisor => "科室/区县负责人",
        Leader => "局领导",
        Admin => "系统管理员",
        Integration => "系统接口",
        Auditor => "安全审计员",
        System => "系统",
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
    /// <summary>A district id (移交 to another district).</summary>
    public const string District = "district";
    /// <summary>A clock of the definition that allows extension (延期申请).</summary>
    public const string Clock = "clock";
    /// <summary>A calendar date, yyyy-MM-dd (the day wages were paid, the end of a 责令 deadline).</summary>
    public const string Date = "date";
    /// <summary>Yes or no (a group incident).</summary>
    public const string Boolean = "boolean";
}
