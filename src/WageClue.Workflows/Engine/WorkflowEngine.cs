using System.Text;
using System.Text.Json;
using Stateless;
using Stateless.Graph;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Workflows.Engine;

/// <summary>
/// Executes one definition version with Stateless. Pure: given an instance's snapshot, an action, the actor, the
/// action's fields, the time and the calendar, it says allowed (the new state, every clock effect with its due
/// time, the history entry) or refused, and why. The caller applies an allowed decision in one transaction. A
/// machine is built per call because Stateless holds the current state; building one is a few dozen allocations.
/// </summary>
public sealed class WorkflowEngine(WorkflowDefinition definition)
{
    public WorkflowDefinition Definition { get; } = definition;

    /// <summary>The definition's time zone, resolved once: every time the service shows is in it.</summary>
    public TimeZoneInfo Zone { get; } = TimeZones.Find(definition.TimeZone);

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone);

    /// <summary>Midnight at the start of a local day, as an instant.</summary>
    public DateTimeOffset StartOfDay(DateOnly day) => TimeZones.AtLocal(Zone, day, TimeOnly.MinValue);

    /// <summary>Midnight at the end of the local day <paramref name="instant"/> falls on.</summary>
    public DateTimeOffset EndOfDay(DateTimeOffset instant) => StartOfDay(TimeZones.LocalDay(Zone, instant).AddDays(1));

    /// <summary>The clocks that start on receipt, each as its first round, and the receipt day.</summary>
    /// <param name="dates">The dates clocks count from instead of the receipt (a listing's 责令 deadline), by the name their "from" gives.</param>
    public (ReceiptDay ReceiptDay, IReadOnlyList<StartClock> Clocks) Register(DateTimeOffset receivedAt, WorkingCalendar calendar,
        IReadOnlyDictionary<string, DateOnly>? dates = null)
    {
        var plan = ClockPlanner.Plan(Definition, calendar, receivedAt, dates);
        return (plan.ReceiptDay, plan.Clocks.Select(c => new StartClock(c.Clock, 1, c.StartedAt, c.DueAt, c.Provisional, c.FirstEscalationAt)).ToList());
    }

    public Decision Decide(InstanceSnapshot instance, string action, Actor actor, IReadOnlyDictionary<string, JsonElement> fields,
        DateTimeOffset now, WorkingCalendar calendar)
    {
        var def = Definition.FindAction(action);
        if (def == null)
            return new Refused(RefusalKind.UnknownAction, $"流程中没有「{action}」这个操作");
        if (!def.Roles.Contains(actor.Role))
            return new Refused(RefusalKind.RoleForbidden, $"{Roles.ChineseName(actor.Role)}不能执行「{def.Name}」");

        var current = instance.State;
        var machine = Build(() => current, s => current = s, actor.Role, instance, now);
        if (!machine.CanFire(action))
            return new Refused(RefusalKind.NotAllowedInState, WhyNot(def, instance, actor.Role, now));

        var (values, errors) = FieldValidator.Validate(def, fields, Definition);
        var math = new ClockMath(Definition, calendar);
        var extension = def.Effect == ActionEffects.RequestExtension && errors.Count == 0 ? CheckExtensionRequest(instance, values, now, errors) : null;
        if (errors.Count > 0)
            return new Refused(RefusalKind.InvalidFields, $"「{def.Name}」的字段有误", errors);
        if (def.Effect == ActionEffects.TransferDistrict && (string)values["districtId"]! == instance.DistrictId)
            return new Refused(RefusalKind.InvalidFields, $"「{def.Name}」的字段有误", new Dictionary<string, string[]> { ["districtId"] = ["线索已在该区县，请选择其他区县"] });

        machine.Fire(action);
        var updates = new Dictionary<string, object?>();
        foreach (var f in def.FieldList.Where(f => f.Updates != null && values.ContainsKey(f.Name))) updates[f.Updates!] = values[f.Name];
        foreach (var (attribute, value) in def.Sets ?? new Dictionary<string, string>()) updates[attribute] = value;

        var district = instance.DistrictId;
        if (def.Effect == ActionEffects.TransferDistrict)
        {
            district = (string)values["districtId"]!;
            updates[Attributes.Assignee] = null; // into the receiving district's queue
        }

        var clocks = new ClockEffectsBuilder(Definition, instance, math, now);
        clocks.Meet(action);
        switch (def.Effect)
        {
            case ActionEffects.PauseClocks: clocks.PauseAll(); break;
            case ActionEffects.ResumeClocks: clocks.ResumeAll(); break;
            case ActionEffects.RequestExtension: clocks.Request(extension!, (int)(long)values["days"]!); break;
            case ActionEffects.ApproveExtension: clocks.Approve(); break;
            case ActionEffects.RefuseExtension: clocks.Refuse(); break;
            case ActionEffects.TransferDistrict:
                clocks.Move(district);
                if (Definition.OnDistrictTransfer == TransferSettings.Restart) clocks.RestartOpen();
                break;
        }
        var entersFinal = Definition.IsFinal(current) && !Definition.IsFinal(instance.State);
        if (entersFinal) clocks.CancelOpen();
        clocks.Start(action, current != instance.State ? current : null);

        var entry = clocks.Entry(values) with
        {
            PreviousAssigneeId = updates.ContainsKey(Attributes.Assignee) ? instance.AssigneeId : null,
            PreviousDistrictId = district != instance.DistrictId ? instance.DistrictId : null,
        };
        return new Allowed(instance.State, current, values, updates, clocks.Effects, entry, district, def.Notify ?? []);
    }

    /// <summary>The actions this role may fire on this instance now, in definition order.</summary>
    public IReadOnlyList<string> AllowedActions(InstanceSnapshot instance, string role, DateTimeOffset now)
    {
        var machine = Build(() => instance.State, _ => { }, role, instance, now);
        return Definition.Actions.Where(a => a.Roles.Contains(role) && machine.CanFire(a.Id)).Select(a => a.Id).ToList();
    }

    public string StateName(string state) => Definition.FindState(state)?.Name ?? state;

    public string ClockName(string clock) => Definition.FindClock(clock)?.Name ?? clock;

    public string ActionName(string action) => Definition.FindAction(action)?.Name ?? action;

    /// <summary>An attribute's value as the label of the field option that sets it (满意度 dissatisfied → 不满意), or the value.</summary>
    public string AttributeLabel(string attribute, string value) =>
        Definition.Actions.SelectMany(a => a.FieldList).Where(f => f.Updates == attribute)
            .SelectMany(f => f.Options ?? []).FirstOrDefault(o => o.Value == value)?.Label ?? value;

    /// <summary>A Mermaid state diagram generated from the definition: Chinese state names, each arrow labelled with its action's name.</summary>
    public string ToMermaid()
    {
        var machine = Build(() => Definition.InitialState, _ => { }, role: null, instance: null, DateTimeOffset.MinValue);
        var graph = MermaidGraph.Format(machine.GetInfo(), MermaidGraphDirection.LeftToRight);
        // Stateless writes "trigger [guard]"; a reader wants only the action's name, which the guard label carries.
        foreach (var action in Definition.Actions)
            graph = graph.Replace($" : {action.Id} [{action.Name}]", $" : {action.Name}", StringComparison.Ordinal);
        // Stateless names a state with a hyphen without it ("removal-review" → "removalreview") and describes it by
        // its id; the description a reader sees is the state's Chinese name instead.
        foreach (var s in Definition.States.Where(s => MermaidId(s.Id) != s.Id))
            graph = graph.Replace($"\t{MermaidId(s.Id)} : {s.Id}\n", "", StringComparison.Ordinal);
        var names = new StringBuilder();
        foreach (var s in Definition.States)
            names.Append("\t").Append(MermaidId(s.Id)).Append(" : ").Append(s.Name).Append('\n');
        var firstLineEnd = graph.IndexOf('\n');
        return firstLineEnd < 0 ? graph + "\n" + names : graph[..(firstLineEnd + 1)] + names + graph[(firstLineEnd + 1)..];
    }

    /// <summary>A state's id as the diagram names it (Stateless drops what Mermaid cannot read in an id, such as a hyphen).</summary>
    public static string MermaidId(string state) => new(state.Where(c => char.IsLetterOrDigit(c) || c == '_').ToArray());

    /// <summary>The states a "back" transition out of <paramref name="state"/> may return to: those an action leads from into it.</summary>
    public IReadOnlyList<string> BackTargets(string state) =>
        Definition.Actions.SelectMany(a => a.Transitions.Where(t => !t.Back && t.To == state).SelectMany(Definition.ExpandFrom))
            .Where(s => s != state).Distinct().ToList();

    /// <param name="role">The actor's role; null builds the machine for diagrams, with the roles as guard labels.</param>
    /// <param name="instance">The instance the guards read; null for diagrams (every guard holds).</param>
    private StateMachine<string, string> Build(Func<string> read, Action<string> write, string? role, InstanceSnapshot? instance, DateTimeOffset now)
    {
        var machine = new StateMachine<string, string>(read, write);
        foreach (var s in Definition.States)
            machine.Configure(s.Id);
        foreach (var action in Definition.Actions)
        {
            Func<bool> mayFire = () => role == null || (action.Roles.Contains(role) && (instance == null || Available(action, instance, role, now)));
            // Guard labels are what the diagram shows beside each arrow: the action's Chinese name.
            var who = action.Name;
            foreach (var transition in action.Transitions)
            foreach (var from in Definition.ExpandFrom(transition))
            {
                var config = machine.Configure(from);
                // The diagram shows how the state changes; actions that only record something are listed beside it.
                if (transition.Stay && role == null) continue;
                if (transition.Stay) config.InternalTransitionIf(action.Id, _ => mayFire(), _ => { }, who);
                else if (transition.To == from) config.PermitReentryIf(action.Id, mayFire, who); // 移交 from 已登记 into the other district's 已登记
                else if (!transition.Back) config.PermitIf(action.Id, transition.To!, mayFire, who);
                else
                    foreach (var back in BackTargets(from))
                        config.PermitIf(action.Id, back, () => mayFire() && (instance == null || instance.PreviousState == back), who);
            }
        }
        return machine;
    }

    /// <summary>The guards beyond the state: running clocks, subject attributes, and what an effect needs.</summary>
    private bool Available(ActionDefinition action, InstanceSnapshot instance, string role, DateTimeOffset now)
    {
        if (action.RequiresRunning is { Count: > 0 } clocks && !clocks.Any(c => instance.Open(c).Any())) return false;
        if (action.Guard is { } guard && !guard.In.Contains(instance.Attribute(guard.Attribute) ?? "")) return false;
        if (action.RequiresClosed is { Count: > 0 } closed && !closed.All(c => Closed(instance, c, now))) return false;
        if (action.Waits is { } wait && !(WaitEnds(instance, wait) is { } ends && now >= ends)) return false;
        return action.Effect switch
        {
            ActionEffects.RequestExtension => ExtendableNow(instance, now).Any() && !instance.Clocks.Any(c => c.IsOpen && c.ExtensionRequestDays != null),
            ActionEffects.ApproveExtension or ActionEffects.RefuseExtension =>
                Pending(instance) is { } p && (Definition.FindClock(p.Clock)?.Extension?.Approvers.Contains(role) ?? false),
            _ => true,
        };
    }

    private string WhyNot(ActionDefinition def, InstanceSnapshot instance, string role, DateTimeOffset now)
    {
        var inState = Definition.Actions.Single(a => a.Id == def.Id).Transitions.Any(t => Definition.ExpandFrom(t).Contains(instance.State));
        if (!inState) return $"线索当前为「{StateName(instance.State)}」，不能执行「{def.Name}」";
        return def.Effect switch
        {
            ActionEffects.RequestExtension when instance.Clocks.Any(c => c.IsOpen && c.ExtensionRequestDays != null) => "已有待审批的延期申请",
            ActionEffects.RequestExtension => "没有可以申请延期的时限（须在时限到期前申请，且未超过延期次数）",
            ActionEffects.ApproveExtension or ActionEffects.RefuseExtension when Pending(instance) is { } p =>
                $"「{ClockName(p.Clock)}」的延期须由{string.Join("或", (Definition.FindClock(p.Clock)?.Extension?.Approvers ?? []).Select(Roles.ChineseName))}审批",
            ActionEffects.ApproveExtension or ActionEffects.RefuseExtension => "没有待审批的延期申请",
            _ when def.RequiresRunning is { Count: > 0 } r && !r.Any(c => instance.Open(c).Any()) => $"当前没有进行中的「{string.Join("、", r.Select(ClockName))}」",
            _ when def.RequiresClosed is { Count: > 0 } c && c.FirstOrDefault(x => !Closed(instance, x, now)) is { } open =>
                instance.Open(open).FirstOrDefault() is { } k ? $"「{ClockName(open)}」尚未届满（{TimeZoneInfo.ConvertTime(k.DueAt, Zone):yyyy-MM-dd HH:mm} 届满），不能执行「{def.Name}」"
                    : $"「{ClockName(open)}」尚未开始，不能执行「{def.Name}」",
            _ when def.Waits is { } w => WaitEnds(instance, w) is { } ends
                ? $"{w.Label}，{TimeZoneInfo.ConvertTime(ends, Zone):yyyy-MM-dd}起方可执行「{def.Name}」"
                : $"{w.Label}，相关日期尚未登记",
            _ when def.Guard != null => $"线索当前不满足「{def.Name}」的条件",
            _ => $"线索当前为「{StateName(instance.State)}」，不能执行「{def.Name}」",
        };
    }

    /// <summary>The clock has started, and no round of it still counts: met, cancelled, or past its due time.</summary>
    private static bool Closed(InstanceSnapshot instance, string clock, DateTimeOffset now) =>
        instance.Clocks.Any(c => c.Clock == clock) && !instance.Open(clock).Any(k => now < k.DueAt);

    /// <summary>The instant a wait ends: the months after the latest of its dates, at the start of that local day; null while a date is unknown.</summary>
    public DateTimeOffset? WaitEnds(InstanceSnapshot instance, WaitRule wait)
    {
        DateOnly? latest = null;
        foreach (var source in wait.After)
        {
            DateOnly? day = source.StartsWith("clock:", StringComparison.Ordinal)
                ? instance.Clocks.Where(c => c.Clock == source["clock:".Length..]).MaxBy(c => c.Round) is { } k ? TimeZones.LocalDay(Zone, k.StartedAt) : null
                : DateOnly.TryParseExact(instance.Attribute(source["attribute:".Length..]), "yyyy-MM-dd", out var d) ? d : null;
            if (day == null) return null;
            if (latest == null || day > latest) latest = day;
        }
        return latest is { } from ? StartOfDay(from.AddMonths(wait.Months)) : null;
    }

    private static ClockSnapshot? Pending(InstanceSnapshot instance) => instance.Clocks.FirstOrDefault(c => c.IsOpen && c.ExtensionRequestDays != null);

    /// <summary>Running clocks an extension may still be asked for: before their deadline, under their limit of extensions.</summary>
    private IEnumerable<ClockSnapshot> ExtendableNow(InstanceSnapshot instance, DateTimeOffset now) =>
        instance.Clocks.Where(c => c.IsRunning && now < c.DueAt && Definition.FindClock(c.Clock)?.Extension is { } rule && c.Extensions < rule.MaxTimes);

    private ClockSnapshot? CheckExtensionRequest(InstanceSnapshot instance, Dictionary<string, object?> values, DateTimeOffset now, Dictionary<string, string[]> errors)
    {
        var clockId = (string)values["clock"]!;
        var clock = ExtendableNow(instance, now).Where(c => c.Clock == clockId).MaxBy(c => c.Round);
        var rule = Definition.FindClock(clockId)?.Extension;
        if (clock == null || rule == null)
        {
            errors["clock"] = [$"「{ClockName(clockId)}」当前不能申请延期（须在时限到期前申请，且未超过延期次数）"];
            return null;
        }
        if ((long)values["days"]! > rule.MaxWorkingDays) errors["days"] = [$"延期天数不能超过 {rule.MaxWorkingDays} 个工作日"];
        return clock;
    }
}
