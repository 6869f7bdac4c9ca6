using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Instances;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Shared;

/// <summary>What the _ActionForms partial needs to offer an instance's actions, each a form asking for its fields.</summary>
public sealed record ActionFormsModel(
    IReadOnlyList<ActionDefinition> Actions,
    int Version,
    long MeId,
    string? OpenAction,
    string? Message,
    Func<string, string?> Posted,
    Func<string, string?> ErrorFor,
    IReadOnlyList<UserRow> Assignable,
    IReadOnlyList<Districts.DistrictResponse> OtherDistricts,
    IReadOnlyList<(string Id, string Name)> ExtendableClocks);

public sealed record TimelineEntry(string At, string Title, string? Actor, IReadOnlyList<string> Details, string Css);

/// <summary>
/// The pages' half of the workflow core, for every subject: an action's form fields read into the JSON the
/// engine validates, and an instance's history told in the words of its definition.
/// </summary>
public static class WorkflowForms
{
    /// <summary>The posted fields of an action ("f.name"); numbers go as numbers when they parse, so the engine's validator names the field otherwise.</summary>
    public static Dictionary<string, JsonElement> FieldsFromForm(ActionDefinition? action, IFormCollection form)
    {
        var json = new JsonObject();
        foreach (var field in action?.FieldList ?? [])
        {
            var value = form[$"f.{field.Name}"].ToString().Trim();
            if (value.Length == 0) continue;
            var numeric = field.Type is FieldTypes.Money or FieldTypes.Integer or FieldTypes.User or FieldTypes.Clue;
            json[field.Name] = numeric && decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? JsonValue.Create(n)
                : field.Type == FieldTypes.Boolean && value is "true" or "false" ? JsonValue.Create(value == "true")
                : JsonValue.Create(value);
        }
        using var doc = JsonDocument.Parse(json.ToJsonString());
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    /// <summary>Clocks a 延期申请 may name now: running, before their deadline, extendable by the definition.</summary>
    public static IReadOnlyList<(string Id, string Name)> ExtendableClocks(WorkflowEngine engine, IEnumerable<ClockRow> clocks, DateTimeOffset now) =>
        clocks.Where(k => k.IsRunning && k.DueAt > now && engine.Definition.FindClock(k.Clock)?.Extension is { } rule && k.Extensions < rule.MaxTimes)
            .Select(k => (k.Clock, engine.ClockName(k.Clock))).Distinct().ToList();

    /// <param name="registered">What the page says of the instance's creation (a clue's channel and receipt time).</param>
    public static IReadOnlyList<TimelineEntry> Timeline(WorkflowEngine engine, IEnumerable<HistoryRecord> history, TimelineEntry registered,
        IReadOnlyDictionary<long, string> userNames, IReadOnlyDictionary<string, string> districtNames)
    {
        var entries = new List<TimelineEntry>();
        foreach (var h in history)
        {
            var at = Display.Time(engine.ToLocal(h.At));
            entries.Add(h.Entry switch
            {
                Registered => registered with { At = at, Actor = h.ActorName },
                ActionTaken a => new TimelineEntry(at, engine.ActionName(h.Action ?? ""), h.ActorName ?? "系统", ActionLines(engine, h.Action, a, userNames, districtNames), "action"),
                Recomputed r => new TimelineEntry(at, "节假日安排调整，时限重新计算", h.ActorName,
                    r.Changes.Select(c => $"{engine.ClockName(c.Clock)}：{Display.Time(c.DueBefore)} → {Display.Time(c.DueAfter)}").ToList(), "recomputed"),
                Escalated e => new TimelineEntry(at, $"{e.LevelName}：{engine.ClockName(e.Clock)}", "系统", EscalationLines(e), "escalated"),
                _ => new TimelineEntry(at, h.Kind, h.ActorName, [], ""),
            });
        }
        return entries;
    }

    /// <summary>An action's fields in the words of its form, then what it did to the clocks.</summary>
    private static List<string> ActionLines(WorkflowEngine engine, string? action, ActionTaken a, IReadOnlyDictionary<long, string> names,
        IReadOnlyDictionary<string, string> districtNames)
    {
        var lines = new List<string>();
        var definition = engine.Definition.FindAction(action ?? "");
        foreach (var (name, _) in a.Fields)
        {
            var field = definition?.FieldList.FirstOrDefault(f => f.Name == name);
            var value = a.FieldText(name) ?? "";
            value = field?.Type switch
            {
                FieldTypes.User when long.TryParse(value, out var uid) => names.GetValueOrDefault(uid, value),
                FieldTypes.Enum => field.Options?.FirstOrDefault(o => o.Value == value)?.Label ?? value,
                FieldTypes.District => districtNames.GetValueOrDefault(value, value),
                FieldTypes.Clock => engine.ClockName(value),
                FieldTypes.Boolean => value == "true" ? "是" : "否",
                _ => value,
            };
            lines.Add($"{field?.Label ?? name}：{value}");
        }
        if (a.PreviousDistrictId is { } from) lines.Add($"由{districtNames.GetValueOrDefault(from, from)}移交，转入接收区县待受理队列");
        foreach (var m in a.ClocksMet ?? [])
            lines.Add(engine.Definition.FindClock(m.Clock) is { IsPeriod: true } ? $"{engine.ClockName(m.Clock)}结束"
                : $"{engine.ClockName(m.Clock)}：{(m.Late ? "超时完成" : m.WithinExtension == true ? "延期内完成" : "按时完成")}");
        foreach (var p in a.ClocksPaused ?? []) lines.Add($"{engine.ClockName(p.Clock)}暂停计时，剩余 {Display.WorkingSpan(TimeSpan.FromMinutes(Math.Max(0, p.RemainingMinutes)))}");
        foreach (var r in a.ClocksResumed ?? []) lines.Add($"{engine.ClockName(r.Clock)}恢复计时，新时限 {Display.Time(r.DueAt)}");
        foreach (var st in a.ClocksStarted ?? [])
            lines.Add(engine.Definition.FindClock(st.Clock) is { IsPeriod: true } ? $"{engine.ClockName(st.Clock)}开始，至 {Display.Time(st.DueAt)} 届满"
                : $"开始计时：{engine.ClockName(st.Clock)}，时限 {Display.Time(st.DueAt)}");
        if (a.Extension is { } x)
            lines.Add(x.Decision switch
            {
                "approved" => $"{engine.ClockName(x.Clock)}延长 {x.Days} 个工作日：{Display.Time(x.DueBefore!.Value)} → {Display.Time(x.DueAfter!.Value)}",
                "refused" => $"{engine.ClockName(x.Clock)}时限不变（{Display.Time(x.DueBefore!.Value)}）",
                _ => $"申请{engine.ClockName(x.Clock)}延长 {x.Days} 个工作日（现时限 {Display.Time(x.DueBefore!.Value)}），待审批",
            });
        return lines;
    }

    private static List<string> EscalationLines(Escalated e)
    {
        var lines = new List<string> { $"办理时限：{Display.Time(e.DueAt)}" };
        if (e.Notified.Count > 0) lines.Add($"已邮件通知：{string.Join("、", e.Notified.Select(n => n.Name))}");
        if (e.SkippedWithoutEmail.Count > 0) lines.Add($"未设置邮箱、未能通知：{string.Join("、", e.SkippedWithoutEmail.Select(n => n.Name))}");
        return lines;
    }
}
