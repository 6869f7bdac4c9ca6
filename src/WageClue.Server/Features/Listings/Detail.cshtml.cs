using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Listings;

/// <summary>
/// One listing case: the 责令 order, the notice, the objection, the decision's fields, its clocks, the actions the
/// workflow allows this user now (the same forms as a clue's), the timeline and the diagram.
/// </summary>
[Authorize(Roles = $"{Roles.Caseworker},{Roles.Supervisor},{Roles.Leader}")]
public sealed class DetailModel(ListingRepository listings, ListingWorkflow workflow, UserRepository users, Districts.DistrictRepository districts,
    Calendar.CalendarStore calendars, Npgsql.NpgsqlDataSource db, TimeProvider time) : AppPage
{
    public ListingRow Listing { get; private set; } = null!;
    public WorkflowEngine Engine { get; private set; } = null!;
    public IReadOnlyList<ClockView> Clocks { get; private set; } = [];
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public string Diagram { get; private set; } = "";
    private IReadOnlyList<ActionDefinition> _actions = [];
    private IReadOnlyList<UserRow> _assignable = [];
    private IReadOnlyList<(string, string)> _extendable = [];
    private IReadOnlyList<ClockRow> _clocks = [];
    private string? _open;
    private string? _message;
    private IFormCollection? _posted;
    private Dictionary<string, string[]> _errors = new();

    public ActionFormsModel ActionForms => new(_actions, Listing.Version, Me.Id, _open, _message, f => _posted?[$"f.{f}"].ToString(),
        f => _errors.TryGetValue(f, out var m) ? string.Join("；", m) : null, _assignable, [], _extendable);

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    public async Task<IActionResult> OnPostActAsync(long id, string actionId, int version)
    {
        if (!await LoadAsync(id)) return NotFound();
        (_open, _posted) = (actionId, Request.Form);
        if (version != Listing.Version)
        {
            _message = "名单案件已被他人更新，请查看最新情况后重新操作";
            return Page();
        }
        switch (await workflow.FireAsync(Listing, actionId, Me, WorkflowForms.FieldsFromForm(Engine.Definition.FindAction(actionId), Request.Form), _clocks))
        {
            case ListingOutcome.Done:
                Flash($"已{Engine.ActionName(actionId)}");
                return Redirect($"/listings/{id}");
            case ListingOutcome.BadReferences bad: _errors = bad.Errors; break;
            case ListingOutcome.NotPermitted no: _message = no.Message; break;
            case ListingOutcome.VersionMovedOn: _message = "名单案件已被他人同时更新，请查看最新情况后重新操作"; break;
            case ListingOutcome.Refusal { Reason: var refused }:
                _message = refused.Message;
                if (refused.FieldErrors != null) _errors = new Dictionary<string, string[]>(refused.FieldErrors);
                break;
        }
        return Page();
    }

    public string AttributeLabel(string attribute, string value) => value switch
    {
        "paid-with-pledge" => "已足额支付并书面信用承诺（第七条）",
        "objection-upheld" => "异议成立",
        "order-revoked" => "责令文书被撤销（第十六条）",
        "expired" => "名单期限届满（第十一条）",
        "early-removal" => "提前移出（第十二至十四条）",
        "restored" => "提前移出被撤销，恢复列入（第十五条）",
        _ => Engine.AttributeLabel(attribute, value),
    };

    private async Task<bool> LoadAsync(long id)
    {
        var found = await ListingEndpoints.ReadableAsync(id, Me, listings);
        if (found == null) return false;
        (Listing, _clocks) = found.Value;
        Engine = workflow.EngineFor(Listing);
        var now = time.GetUtcNow();
        Clocks = ClockView.For(Engine, await calendars.GetAsync(db), _clocks, now);
        _actions = workflow.AllowedActions(Listing, _clocks, Me).Select(a => Engine.Definition.FindAction(a)!).ToList();
        _assignable = _actions.Any(a => a.FieldList.Any(f => f.Type == FieldTypes.User)) ? await users.AssignableAsync(Listing.DistrictId) : [];
        _extendable = WorkflowForms.ExtendableClocks(Engine, _clocks, now);
        var names = (await users.ListAsync()).ToDictionary(u => u.Id, u => u.DisplayName);
        var districtNames = (await districts.ListAsync()).ToDictionary(d => d.Id, d => d.Name);
        var started = new TimelineEntry("", "启动名单程序", null,
            [$"责令限期支付文书：{Listing.OrderNumber}，期限 {Infrastructure.Display.Day(Listing.OrderDeadline)}",
             $"拖欠金额 {Listing.Amount:N2} 元，涉及 {Listing.WorkerCount} 人{(Listing.GroupIncident ? "，引发群体性事件" : "")}"], "registered");
        Timeline = WorkflowForms.Timeline(Engine, await listings.HistoryAsync(id), started, names, districtNames);
        Diagram = Engine.ToMermaid() + $"\tclassDef current fill:#b71c1c,color:#fff,stroke:#7f0000\n\tclass {WorkflowEngine.MermaidId(Listing.State)} current\n";
        return true;
    }
}
