using System.Globalization;
using System.Text.Json;
using Json.Schema;
using WageClue.Workflows.Sla;

namespace WageClue.Workflows.Definitions;

/// <summary>
/// Loads definitions and refuses any that could misbehave at run time: first the shape (workflow.schema.json), then
/// the meaning (unknown or unreachable states, actions without a target, clocks that can never stop, two transitions
/// for one action and state). Every problem names the file and the JSON path.
/// </summary>
public static class WorkflowDefinitionLoader
{
    public const string SchemaFileName = "workflow.schema.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Loads every <c>*.json</c> beside the schema in <paramref name="directory"/> (sub-folders such as calendars/ are not definitions).</summary>
    public static WorkflowRegistry LoadDirectory(string directory)
    {
        var schemaPath = Path.Combine(directory, SchemaFileName);
        if (!File.Exists(schemaPath))
            throw new WorkflowDefinitionException([$"{schemaPath}: the schema file is missing"]);
        var schema = JsonSchema.FromText(File.ReadAllText(schemaPath));

        var problems = new List<string>();
        var definitions = new List<WorkflowDefinition>();
        foreach (var path in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(path) == SchemaFileName) continue;
            try
            {
                definitions.Add(Load(Path.GetFileName(path), File.ReadAllText(path), schema));
            }
            catch (WorkflowDefinitionException e)
            {
                problems.AddRange(e.Problems);
            }
        }
        foreach (var dup in definitions.GroupBy(d => (d.Id, d.Version)).Where(g => g.Count() > 1))
            problems.Add($"{directory}: {dup.Key.Id} version {dup.Key.Version} is defined more than once");
        if (problems.Count > 0) throw new WorkflowDefinitionException(problems);
        if (definitions.Count == 0) throw new WorkflowDefinitionException([$"{directory}: no workflow definition found"]);
        return new WorkflowRegistry(definitions);
    }

    public static WorkflowDefinition Load(string fileName, string json, JsonSchema schema)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new WorkflowDefinitionException([$"{fileName}: line {e.LineNumber + 1}: not valid JSON: {e.Message}"]);
        }
        using (doc)
        {
            var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            if (!result.IsValid)
            {
                var problems = (result.Details ?? [])
                    .Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Values.Select(message => $"{fileName}: {ToJsonPath(d.InstanceLocation.ToString())}: {message}"))
                    .Distinct()
                    .ToList();
                if (problems.Count == 0 && result.Errors is { Count: > 0 })
                    problems.AddRange(result.Errors.Values.Select(m => $"{fileName}: $: {m}"));
                throw new WorkflowDefinitionException(problems.Count > 0 ? problems : [$"{fileName}: $: does not match {SchemaFileName}"]);
            }
            var definition = doc.RootElement.Deserialize<WorkflowDefinition>(Json)!;
            var semantic = CheckMeaning(definition).Select(p => $"{fileName}: {p}").ToList();
            var expectedName = $"{definition.Id}.v{definition.Version}.json";
            if (fileName != expectedName)
                semantic.Add($"{fileName}: $.id: the file of {definition.Id} version {definition.Version} must be named {expectedName}");
            if (semantic.Count > 0) throw new WorkflowDefinitionException(semantic);
            return definition;
        }
    }

    /// <summary>"/actions/2/roles" → "$.actions[2].roles".</summary>
    internal static string ToJsonPath(string pointer)
    {
        var path = "$";
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/").Replace("~0", "~");
            path += int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"[{name}]" : $".{name}";
        }
        return path;
    }

    private static IEnumerable<string> CheckMeaning(WorkflowDefinition d)
    {
        var states = d.States.Select(s => s.Id).ToList();
        foreach (var dup in Duplicates(states)) yield return $"$.states: state '{dup}' is defined more than once";
        foreach (var dup in Duplicates(d.Actions.Select(a => a.Id))) yield return $"$.actions: action '{dup}' is defined more than once";
        foreach (var dup in Duplicates(d.Clocks.Select(c => c.Id))) yield return $"$.clocks: clock '{dup}' is defined more than once";
        foreach (var dup in Duplicates(d.Escalation.Select(e => e.Level))) yield return $"$.escalation: level {dup} is defined more than once";

        if (!states.Contains(d.InitialState)) yield return $"$.initialState: unknown state '{d.InitialState}'";
        if (d.IsFinal(d.InitialState)) yield return "$.initialState: the initial state must not be final";

        string? zoneProblem = null;
        try { TimeZones.Find(d.TimeZone); }
        catch (TimeZoneNotFoundException) { zoneProblem = $"$.timeZone: unknown time zone '{d.TimeZone}'"; }
        if (zoneProblem != null) yield return zoneProblem;

        for (var i = 0; i < d.BusinessHours.Count; i++)
        {
            var p = d.BusinessHours[i];
            if (string.CompareOrdinal(p.Start, p.End) >= 0) yield return $"$.businessHours[{i}]: start {p.Start} is not before end {p.End}";
            if (i > 0 && string.CompareOrdinal(d.BusinessHours[i - 1].End, p.Start) > 0)
                yield return $"$.businessHours[{i}]: overlaps the period before it";
        }

        // The sweep climbs the ladder level by level, so a higher level must not fall due before a lower one.
        var hoursPerDay = d.BusinessHours.Sum(p => (TimeOnly.Parse(p.End, CultureInfo.InvariantCulture) - TimeOnly.Parse(p.Start, CultureInfo.InvariantCulture)).TotalHours);
        var ladder = d.Escalation.OrderBy(e => e.Level).ToList();
        for (var i = 1; i < ladder.Count; i++)
        {
            static double Hours(EscalationOffset o, double perDay) => (o.WorkingDays ?? 0) * perDay + (o.WorkingHours ?? 0);
            if (Hours(ladder[i].Offset, hoursPerDay) < Hours(ladder[i - 1].Offset, hoursPerDay))
                yield return $"$.escalation: level {ladder[i].Level} falls due before level {ladder[i - 1].Level}";
        }

        for (var a = 0; a < d.Actions.Count; a++)
        {
            var action = d.Actions[a];
            var at = $"$.actions[{a}]";
            if (action.Transitions.Count == 0) yield return $"{at}.transitions: action '{action.Id}' has no transition, so it has no target";
            var seen = new HashSet<string>();
            for (var t = 0; t < action.Transitions.Count; t++)
            {
                var tr = action.Transitions[t];
                var tAt = $"{at}.transitions[{t}]";
                if (tr.To == null && !tr.Stay && !tr.Back) yield return $"{tAt}: action '{action.Id}' has neither 'to' nor 'stay': it has no target";
                if (tr.To != null && tr.Stay) yield return $"{tAt}: 'to' and 'stay' exclude each other";
                if (tr.To != null && !states.Contains(tr.To)) yield return $"{tAt}.to: unknown state '{tr.To}'";
                for (var f = 0; f < tr.From.Count; f++)
                {
                    if (tr.From[f] != "*" && !states.Contains(tr.From[f])) yield return $"{tAt}.from[{f}]: unknown state '{tr.From[f]}'";
                    else if (tr.From[f] != "*" && d.IsFinal(tr.From[f])) yield return $"{tAt}.from[{f}]: '{tr.From[f]}' is final; nothing leaves it";
                }
                foreach (var from in d.ExpandFrom(tr))
                    if (!seen.Add(from)) yield return $"{tAt}.from: action '{action.Id}' has two transitions from state '{from}'";
            }
            for (var f = 0; f < action.FieldList.Count; f++)
            {
                var field = action.FieldList[f];
                if (field.Type == FieldTypes.Enum && field.Options is not { Count: > 0 })
                    yield return $"{at}.fields[{f}].options: an enum field needs options";
                if (field.Type == FieldTypes.Text && field.MaxLength == null)
                    yield return $"{at}.fields[{f}].maxLength: a text field needs a length limit";
            }
            foreach (var dup in Duplicates(action.FieldList.Select(f => f.Name)))
                yield return $"{at}.fields: field '{dup}' is defined more than once";
        }

        for (var a = 0; a < d.Actions.Count; a++)
            foreach (var problem in CheckLifecycle(d, d.Actions[a], $"$.actions[{a}]")) yield return problem;

        var reachable = Reachable(d);
        for (var s = 0; s < d.States.Count; s++)
        {
            var state = d.States[s];
            if (!reachable.Contains(state.Id)) yield return $"$.states[{s}]: state '{state.Id}' is unreachable from '{d.InitialState}'";
            var leaves = d.Actions.Any(a => a.Transitions.Any(t => (t.To != null || t.Back) && d.ExpandFrom(t).Contains(state.Id)));
            if (!state.Final && !leaves) yield return $"$.states[{s}]: state '{state.Id}' is not final but no action leaves it";
        }

        for (var c = 0; c < d.Clocks.Count; c++)
        {
            var clock = d.Clocks[c];
            for (var m = 0; m < clock.MetBy.Count; m++)
                if (d.FindAction(clock.MetBy[m]) == null) yield return $"$.clocks[{c}].metBy[{m}]: unknown action '{clock.MetBy[m]}'";
            if (clock.StartsOnEntering is { } entered && !states.Contains(entered))
                yield return $"$.clocks[{c}].startsAt: unknown state '{entered}'";
            if (clock.StartsOnAction is { } starter && d.FindAction(starter) == null)
                yield return $"$.clocks[{c}].startsAt: unknown action '{starter}'";
            foreach (var also in clock.AlsoStartsAt ?? [])
                if ((also.StartsWith("enter:", StringComparison.Ordinal) && !states.Contains(also[6..]))
                    || (also.StartsWith("action:", StringComparison.Ordinal) && d.FindAction(also[7..]) == null))
                    yield return $"$.clocks[{c}].alsoStartsAt: unknown {(also.StartsWith("enter:", StringComparison.Ordinal) ? "state" : "action")} '{also[(also.IndexOf(':') + 1)..]}'";
            if (clock.From != null && !clock.StartsOnReceipt)
                yield return $"$.clocks[{c}].from: only a clock that starts on receipt counts from a date given at the start";
            if (clock.IsPeriod && clock.Extension != null)
                yield return $"$.clocks[{c}].extension: a period is not the bureau's time limit; it cannot be extended";
            if (clock.OnDue != null && !clock.IsPeriod)
                yield return $"$.clocks[{c}].onDue: only a period fires an action when it runs out; a duty escalates";
            if (clock.OnDue is { } onDue && d.FindAction(onDue) is var dueAction && (dueAction == null || !dueAction.Roles.Contains(Roles.System)))
                yield return $"$.clocks[{c}].onDue: '{onDue}' must be an action of the role system";
            if (clock.OnDue is { } ends && !clock.MetBy.Contains(ends))
                yield return $"$.clocks[{c}].onDue: the action '{ends}' must meet the clock it ends (list it in metBy)";
            if (clock.WorkingHours != null && !clock.AtCloseOfBusiness)
                yield return $"$.clocks[{c}].atCloseOfBusiness: only a count of working days ends at close of business";
            var canStop = clock.MetBy.Select(d.FindAction).OfType<ActionDefinition>()
                .Any(a => a.Transitions.Any(t => d.ExpandFrom(t).Any(reachable.Contains)));
            if (!canStop) yield return $"$.clocks[{c}]: clock '{clock.Id}' can never stop: no action that meets it can fire from a reachable state";
        }
    }

    /// <summary>What the lifecycle effects need from their action: the fields they read, and states to go back to.</summary>
    private static IEnumerable<string> CheckLifecycle(WorkflowDefinition d, ActionDefinition action, string at)
    {
        bool Has(string name, string type) => action.FieldList.Any(f => f.Name == name && f.Type == type && f.Required);
        if (action.Effect == ActionEffects.RequestExtension)
        {
            if (!Has("clock", FieldTypes.Clock)) yield return $"{at}.fields: a request-extension action needs a required field 'clock' of type clock";
            if (!Has("days", FieldTypes.Integer)) yield return $"{at}.fields: a request-extension action needs a required field 'days' of type integer";
            if (d.Clocks.All(c => c.Extension == null)) yield return $"{at}.effect: no clock of the definition allows an extension";
        }
        if (action.Effect == ActionEffects.TransferDistrict && !Has("districtId", FieldTypes.District))
            yield return $"{at}.fields: a transfer-district action needs a required field 'districtId' of type district";
        if (action.FieldList.Any(f => f.Type == FieldTypes.Clock) && action.Effect != ActionEffects.RequestExtension)
            yield return $"{at}.fields: a field of type clock belongs to a request-extension action";
        foreach (var clock in action.RequiresRunning ?? [])
            if (d.FindClock(clock) == null) yield return $"{at}.requiresRunning: unknown clock '{clock}'";
        foreach (var clock in action.RequiresClosed ?? [])
            if (d.FindClock(clock) == null) yield return $"{at}.requiresClosed: unknown clock '{clock}'";
        foreach (var after in action.Waits?.After ?? [])
            if (after.StartsWith("clock:", StringComparison.Ordinal) && d.FindClock(after[6..]) == null)
                yield return $"{at}.waits.after: unknown clock '{after[6..]}'";
        if (action.Roles.Contains(Roles.System) && action.FieldList.Any(f => f.Required))
            yield return $"{at}.fields: an action of the system has nobody to fill in a required field";
        var engine = new Engine.WorkflowEngine(d);
        for (var t = 0; t < action.Transitions.Count; t++)
        {
            var tr = action.Transitions[t];
            if (!tr.Back) continue;
            if (tr.To != null || tr.Stay) yield return $"{at}.transitions[{t}]: 'back' excludes 'to' and 'stay'";
            foreach (var from in d.ExpandFrom(tr))
                if (engine.BackTargets(from).Count == 0) yield return $"{at}.transitions[{t}]: nothing leads into '{from}', so there is no state to go back to";
        }
    }

    private static HashSet<string> Reachable(WorkflowDefinition d)
    {
        var reached = new HashSet<string> { d.InitialState };
        var queue = new Queue<string>(reached);
        while (queue.TryDequeue(out var state))
            foreach (var t in d.Actions.SelectMany(a => a.Transitions))
                if (t.To != null && d.ExpandFrom(t).Contains(state) && reached.Add(t.To))
                    queue.Enqueue(t.To);
        return reached;
    }

    private static IEnumerable<T> Duplicates<T>(IEnumerable<T> items) => items.GroupBy(x => x).Where(g => g.Count() > 1).Select(g => g.Key);
}
