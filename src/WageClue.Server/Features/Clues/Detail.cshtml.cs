using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Shared;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Clues;

public sealed record TimelineEntry(string At, string Title, string? Actor, IReadOnlyList<string> Details, string Css);

/// <summary>
/// One clue: facts, clocks, the actions the workflow allows this user now (each a form asking for its fields),
/// the timeline with escalations, and the diagram. A clue of another district answers 404, as the API does.
/// </summary>
public sealed class DetailModel(ClueRepository clues, ClueWorkflow workflow, UserRepository users, Districts.DistrictRepository districts, TimeProvider time) : AppPage
{
    public ClueRow Clue { get; private set; } = null!;
    public WorkflowEngine Engine { get; private set; } = null!;
    public IReadOnlyList<ClockView> Clocks { get; private set; } = [];
    public IReadOnlyList<ActionDefinition> Actions { get; private set; } = [];
    public IReadOnlyList<UserRow> Assignable { get; private set; } = [];
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public string Diagram { get; private set; } = "";
    public ComplainantFull? FullComplainant { get; private set; }

    /// <summary>The action whose form was posted and refused: it stays open with its messages.</summary>
    public string? OpenAction { get; private set; }
    public Dictionary<string, string[]> FieldErrors { get; private set; } = new();
    public string? ActionMessage { get; private set; }
    public IFormCollection? Posted { get; private set; }

    public bool MayViewPersonalData => AccessPolicy.CanViewPersonalData(Me, Clue.DistrictId);

    /// <summary>Districts a 移交 may name (every district but the clue's own).</summary>
    public IReadOnlyList<Districts.DistrictResponse> OtherDistricts { get; private set; } = [];

    /// <summary>Clocks a 延期申请 may name now: running, extendable by the definition.</summary>
    public IReadOnlyList<(string Id, string Name)> ExtendableClocks { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostActAsync(long id, string actionId, int version)
    {
        if (!await LoadAsync(id)) return NotFound();
        OpenAction = actionId;
        Posted = Request.Form;
        if (version != Clue.Version)
        {
            ActionMessage = "线索已被他人更新，请查看最新情况后重新操作";
            return Page();
        }
        var outcome = await workflow.FireAsync(Clue, actionId, Me, FieldsFromForm(actionId), _clocks);
        switch (outcome)
        {
            case ActionOutcome.Done:
                Flash($"已{Engine.Definition.FindAction(actionId)?.Name ?? actionId}");
                return Redirect($"/clues/{id}");
            case ActionOutcome.BadReferences bad:
                FieldErrors = bad.Errors;
                break;
            case ActionOutcome.NotPermitted no:
                ActionMessage = no.Message;
                break;
            case ActionOutcome.VersionMovedOn:
                ActionMessage = "线索已被他人同时更新，请查看最新情况后重新操作";
                break;
            case ActionOutcome.Refusal { Reason: var refused }:
                ActionMessage = refused.Message;
                if (refused.FieldErrors != null) FieldErrors = new Dictionary<string, string[]>(refused.FieldErrors);
                break;
        }
        return Page();
    }

    /// <summary>The complainant's full data, behind a deliberate click, logged like the API's; never in a URL.</summary>
    public async Task<IActionResult> OnPostShowComplainantAsync(long id)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (!MayViewPersonalData) return Forbid();
        await clues.LogPersonalDataViewAsync(id, Me.Id, "view", time.GetUtcNow());
        FullComplainant = new ComplainantFull(Clue.ComplainantName, Clue.ComplainantPhone, Clue.ComplainantIdNumber);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    /// <summary>A clue attribute's value as its field's option label (满意度 非常满意), or the value itself.</summary>
    public string AttributeLabel(string attribute, string value) => Engine.AttributeLabel(attribute, value);

    public string? PostedValue(string field) => Posted?[$"f.{field}"].ToString();

    public string? ErrorFor(string field) => FieldErrors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    private IReadOnlyList<ClockRow> _clocks = [];

    private async Task<bool> LoadAsync(long id)
    {
        var found = await ClueEndpoints.FindReadableWithClocksAsync(id, Me, clues);
        if (found == null) return false;
        (Clue, _clocks) = found.Value;
        Engine = workflow.EngineFor(Clue);
        var now = time.GetUtcNow();
        Clocks = ClockView.For(Engine, _clocks, now);
        Actions = workflow.AllowedActions(Clue, _clocks, Me).Select(a => Engine.Definition.FindAction(a)!).ToList();
        Assignable = Actions.Any(a => a.FieldList.Any(f => f.Type == FieldTypes.User)) ? await users.AssignableAsync(Clue.DistrictId) : [];
        if (Actions.Any(a => a.FieldList.Any(f => f.Type == FieldTypes.District)))
            OtherDistricts = (await districts.ListAsync()).Where(d => d.Id != Clue.DistrictId).ToList();
        ExtendableClocks = _clocks.Where(k => k.IsRunning && k.DueAt > now && Engine.Definition.FindClock(k.Clock)?.Extension is { } rule && k.Extensions < rule.MaxTimes)
            .Select(k => (k.Clock, Engine.ClockName(k.Clock))).Distinct().ToList();
        Timeline = await TimelineAsync();
        // The generated diagram, with the clue's state marked (a Mermaid class; the colour is explained beside it).
        Diagram = Engine.ToMermaid() + $"\tclassDef current fill:#b71c1c,color:#fff,stroke:#7f0000\n\tclass {Clue.State} current\n";
        return true;
    }

    private Dictionary<string, JsonElement> FieldsFromForm(string action)
    {
        var definition = Engine.Definition.FindAction(action);
        var json = new JsonObject();
        foreach (var field in definition?.FieldList ?? [])
        {
            var value = Request.Form[$"f.{field.Name}"].ToString().Trim();
            if (value.Length == 0) continue;
            // Numbers go as numbers when they parse; otherwise as text, so the engine's validator names the field.
            var numeric = field.Type is FieldTypes.Money or FieldTypes.Integer or FieldTypes.User or FieldTypes.Clue;
            json[field.Name] = numeric && decimal.TryParse(value, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
                ? JsonValue.Create(n)
                : JsonValue.Create(value);
        }
        using var doc = JsonDocument.Parse(json.ToJsonString());
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
    }

    private async Task<IReadOnlyList<TimelineEntry>> TimelineAsync()
    {
        var names = (await users.ListAsync()).ToDictionary(u => u.Id, u => u.DisplayName);
        var districtNames = (await districts.ListAsync()).ToDictionary(d => d.Id, d => d.Name);
        var entries = new List<TimelineEntry>();
        foreach (var h in await clues.HistoryAsync(Clue.Id))
        {
            var at = Display.Time(Engine.ToLocal(h.At));
            entries.Add(h.Entry switch
            {
                Registered => new TimelineEntry(at, "登记线索", h.ActorName,
                    [$"渠道：{Channels.Names.GetValueOrDefault(Clue.Channel, Clue.Channel)}", $"接收时间：{Display.Time(Engine.ToLocal(Clue.ReceivedAt))}"], "registered"),
                ActionTaken a => new TimelineEntry(at, Engine.ActionName(h.Action ?? ""), h.ActorName, ActionLines(h.Action, a, names, districtNames), "action"),
                Recomputed r => new TimelineEntry(at, "节假日安排调整，时限重新计算", h.ActorName,
                    r.Changes.Select(c => $"{Engine.ClockName(c.Clock)}：{Display.Time(c.DueBefore)} → {Display.Time(c.DueAfter)}").ToList(), "recomputed"),
                Escalated e => new TimelineEntry(at, $"{e.LevelName}：{Engine.ClockName(e.Clock)}", "系统", EscalationLines(e), "escalated"),
                _ => new TimelineEntry(at, h.Kind, h.ActorName, [], ""),
            });
        }
        return entries;
    }

    /// <summary>An action's fields in the words of its form, then what it did to the clocks.</summary>
    private List<string> ActionLines(string? action, ActionTaken a, Dictionary<long, string> names, Dictionary<string, string> districtNames)
    {
        var lines = new List<string>();
        var definition = Engine.Definition.FindAction(action ?? "");
        foreach (var (name, _) in a.Fields)
        {
            var field = definition?.FieldList.FirstOrDefault(f => f.Name == name);
            var value = a.FieldText(name) ?? "";
            value = field?.Type switch
            {
                FieldTypes.User when long.TryParse(value, out var uid) => names.GetValueOrDefault(uid, value),
                FieldTypes.Enum => field.Options?.FirstOrDefault(o => o.Value == value)?.Label ?? value,
                FieldTypes.District => districtNames.GetValueOrDefault(value, value),
                FieldTypes.Clock => Engine.ClockName(value),
                _ => value,
            };
            lines.Add($"{field?.Label ?? name}：{value}");
        }
        if (a.PreviousDistrictId is { } from) lines.Add($"由{districtNames.GetValueOrDefault(from, from)}移交，转入接收区县待受理队列");
        foreach (var m in a.ClocksMet ?? []) lines.Add($"{Engine.ClockName(m.Clock)}：{(m.Late ? "超时完成" : m.WithinExtension == true ? "延期内完成" : "按时完成")}");
        foreach (var p in a.ClocksPaused ?? []) lines.Add($"{Engine.ClockName(p.Clock)}暂停计时，剩余 {Display.WorkingSpan(TimeSpan.FromMinutes(Math.Max(0, p.RemainingMinutes)))}");
        foreach (var r in a.ClocksResumed ?? []) lines.Add($"{Engine.ClockName(r.Clock)}恢复计时，新时限 {Display.Time(r.DueAt)}");
        foreach (var st in a.ClocksStarted ?? []) lines.Add($"开始计时：{Engine.ClockName(st.Clock)}，时限 {Display.Time(st.DueAt)}");
        if (a.Extension is { } x)
            lines.Add(x.Decision switch
            {
                "approved" => $"{Engine.ClockName(x.Clock)}延长 {x.Days} 个工作日：{Display.Time(x.DueBefore!.Value)} → {Display.Time(x.DueAfter!.Value)}",
                "refused" => $"{Engine.ClockName(x.Clock)}时限不变（{Display.Time(x.DueBefore!.Value)}）",
                _ => $"申请{Engine.ClockName(x.Clock)}延长 {x.Days} 个工作日（现时限 {Display.Time(x.DueBefore!.Value)}），待审批",
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
