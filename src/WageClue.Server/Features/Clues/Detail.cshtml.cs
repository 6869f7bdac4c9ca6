using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Accounts;
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
public sealed class DetailModel(ClueRepository clues, ClueWorkflow workflow, UserRepository users, TimeProvider time) : AppPage
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

    public bool MayViewPersonalData => Me.Role is Roles.Caseworker or Roles.Supervisor && Me.IsIn(Clue.DistrictId);

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
        var outcome = await workflow.FireAsync(Clue, actionId, Me, FieldsFromForm(actionId));
        switch (outcome)
        {
            case ActionOutcome.Done:
                Flash($"已{Engine.Definition.FindAction(actionId)?.Name ?? actionId}");
                return Redirect($"/clues/{id}");
            case ActionOutcome.BadReferences bad:
                FieldErrors = bad.Errors;
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

    public string? PostedValue(string field) => Posted?[$"f.{field}"].ToString();

    public string? ErrorFor(string field) => FieldErrors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    private async Task<bool> LoadAsync(long id)
    {
        var clue = await clues.FindAsync(id);
        if (clue == null || !Me.CanReadClues(clue.DistrictId)) return false;
        Clue = clue;
        Engine = workflow.EngineFor(clue);
        var now = time.GetUtcNow();
        Clocks = ClockView.For(Engine, await clues.ClocksAsync([id]), now);
        Actions = Me.Role is Roles.Caseworker or Roles.Supervisor && Me.IsIn(clue.DistrictId)
            ? Engine.AllowedActions(clue.State, Me.Role).Select(a => Engine.Definition.FindAction(a)!).ToList()
            : [];
        Assignable = Actions.Any(a => a.FieldList.Any(f => f.Type == FieldTypes.User)) ? await users.AssignableAsync(clue.DistrictId) : [];
        Timeline = await TimelineAsync();
        // The generated diagram, with the clue's state marked (a Mermaid class; the colour is explained beside it).
        Diagram = Engine.ToMermaid() + $"\tclassDef current fill:#b71c1c,color:#fff,stroke:#7f0000\n\tclass {clue.State} current\n";
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
        var entries = new List<TimelineEntry>();
        foreach (var h in await clues.HistoryAsync(Clue.Id))
        {
            using var doc = JsonDocument.Parse(h.Data);
            var data = doc.RootElement;
            var at = Display.Time(Engine.ToLocal(h.At));
            entries.Add(h.Kind switch
            {
                "registered" => new TimelineEntry(at, "登记线索", h.ActorName,
                    [$"渠道：{Channels.Names.GetValueOrDefault(Clue.Channel, Clue.Channel)}", $"接收时间：{Display.Time(Engine.ToLocal(Clue.ReceivedAt))}"], "registered"),
                "action" => new TimelineEntry(at, Engine.Definition.FindAction(h.Action ?? "")?.Name ?? h.Action ?? "", h.ActorName,
                    FieldLines(h.Action, data, names), "action"),
                "recomputed" => new TimelineEntry(at, "节假日安排调整，时限重新计算", h.ActorName,
                    data.GetProperty("changes").EnumerateArray().Select(c =>
                        $"{ClockName(c.GetProperty("clock").GetString())}：{Display.Time(c.GetProperty("dueBefore").GetDateTimeOffset())} → {Display.Time(c.GetProperty("dueAfter").GetDateTimeOffset())}").ToList(), "recomputed"),
                "escalated" => new TimelineEntry(at, $"{data.GetProperty("levelName").GetString()}：{ClockName(data.GetProperty("clock").GetString())}", "系统",
                    EscalationLines(data), "escalated"),
                _ => new TimelineEntry(at, h.Kind, h.ActorName, [], ""),
            });
        }
        return entries;
    }

    private string ClockName(string? clock) => Engine.Definition.Clocks.FirstOrDefault(c => c.Id == clock)?.Name ?? clock ?? "";

    private List<string> FieldLines(string? action, JsonElement data, Dictionary<long, string> names)
    {
        var lines = new List<string>();
        if (!data.TryGetProperty("fields", out var fields) || fields.ValueKind != JsonValueKind.Object) return lines;
        var definition = Engine.Definition.FindAction(action ?? "");
        foreach (var p in fields.EnumerateObject())
        {
            var field = definition?.FieldList.FirstOrDefault(f => f.Name == p.Name);
            var value = p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : p.Value.ToString();
            if (field?.Type == FieldTypes.User && p.Value.TryGetInt64(out var uid)) value = names.GetValueOrDefault(uid, value);
            if (field?.Type == FieldTypes.Enum) value = field.Options?.FirstOrDefault(o => o.Value == value)?.Label ?? value;
            lines.Add($"{field?.Label ?? p.Name}：{value}");
        }
        return lines;
    }

    private static List<string> EscalationLines(JsonElement data)
    {
        static string Names(JsonElement list) => string.Join("、", list.EnumerateArray().Select(n => n.GetProperty("name").GetString()));
        var lines = new List<string> { $"办理时限：{Display.Time(data.GetProperty("dueAt").GetDateTimeOffset())}" };
        if (data.GetProperty("notified").GetArrayLength() > 0) lines.Add($"已邮件通知：{Names(data.GetProperty("notified"))}");
        if (data.GetProperty("skippedWithoutEmail").GetArrayLength() > 0) lines.Add($"未设置邮箱、未能通知：{Names(data.GetProperty("skippedWithoutEmail"))}");
        return lines;
    }
}
