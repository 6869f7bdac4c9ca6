using System.Text;
using System.Text.Json;
using Stateless;
using Stateless.Graph;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Workflows.Engine;

/// <summary>
/// Executes one definition version with Stateless. Pure: given the clue's state, an action, the actor and the
/// action's fields, it says allowed (the new state, the clocks met) or refused, and why. A machine is built per
/// call because Stateless holds the current state; building one is a few dozen small allocations.
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

    public Decision Decide(string state, string action, Actor actor, IReadOnlyDictionary<string, JsonElement> fields)
    {
        var def = Definition.FindAction(action);
        if (def == null)
            return new Refused(RefusalKind.UnknownAction, $"流程中没有「{action}」这个操作");
        if (!def.Roles.Contains(actor.Role))
            return new Refused(RefusalKind.RoleForbidden, $"{Roles.ChineseName(actor.Role)}不能执行「{def.Name}」");

        var current = state;
        var machine = Build(() => current, s => current = s, actor.Role);
        if (!machine.CanFire(action))
            return new Refused(RefusalKind.NotAllowedInState, $"线索当前为「{StateName(state)}」，不能执行「{def.Name}」");

        var (values, errors) = FieldValidator.Validate(def, fields);
        if (errors.Count > 0)
            return new Refused(RefusalKind.InvalidFields, $"「{def.Name}」的字段有误", errors);

        machine.Fire(action);
        var updates = def.FieldList
            .Where(f => f.Updates != null && values.ContainsKey(f.Name))
            .ToDictionary(f => f.Updates!, f => values[f.Name]);
        var met = Definition.Clocks.Where(c => c.MetBy.Contains(action)).Select(c => c.Id).ToList();
        return new Allowed(state, current, values, updates, met, Definition.IsFinal(current) && !Definition.IsFinal(state));
    }

    /// <summary>The actions this role may fire from this state, in definition order.</summary>
    public IReadOnlyList<string> AllowedActions(string state, string role)
    {
        var machine = Build(() => state, _ => { }, role);
        return Definition.Actions.Where(a => machine.CanFire(a.Id)).Select(a => a.Id).ToList();
    }

    public string StateName(string state) => Definition.FindState(state)?.Name ?? state;

    /// <summary>A Mermaid state diagram generated from the definition, with the Chinese state names.</summary>
    public string ToMermaid()
    {
        var machine = Build(() => Definition.InitialState, _ => { }, role: null);
        var graph = MermaidGraph.Format(machine.GetInfo(), MermaidGraphDirection.LeftToRight);
        var names = new StringBuilder();
        foreach (var s in Definition.States)
            names.Append("\t").Append(s.Id).Append(" : ").Append(s.Name).Append('\n');
        var firstLineEnd = graph.IndexOf('\n');
        return firstLineEnd < 0 ? graph + "\n" + names : graph[..(firstLineEnd + 1)] + names + graph[(firstLineEnd + 1)..];
    }

    /// <param name="role">The actor's role; null builds the machine for diagrams, with the roles as guard labels.</param>
    private StateMachine<string, string> Build(Func<string> read, Action<string> write, string? role)
    {
        var machine = new StateMachine<string, string>(read, write);
        foreach (var s in Definition.States)
            machine.Configure(s.Id);
        foreach (var action in Definition.Actions)
        {
            Func<bool> mayFire = () => role == null || action.Roles.Contains(role);
            var who = string.Join("/", action.Roles);
            foreach (var transition in action.Transitions)
            foreach (var from in Definition.ExpandFrom(transition))
            {
                var config = machine.Configure(from);
                if (transition.Stay) config.InternalTransitionIf(action.Id, _ => mayFire(), _ => { }, who);
                else config.PermitIf(action.Id, transition.To!, mayFire, who);
            }
        }
        return machine;
    }
}
