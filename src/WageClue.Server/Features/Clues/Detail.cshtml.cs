using System.Globalization;
using System.Text.Json;
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

/// <summary>
/// One clue: facts, clocks, the actions the workflow allows this user now (each a form asking for its fields),
/// the timeline with escalations, and the diagram. A clue of another district answers 404, as the API does.
/// </summary>
public sealed class DetailModel(ClueRepository clues, ClueWorkflow workflow, UserRepository users, Districts.DistrictRepository districts,
    Employers.EmployerRepository employers, Employers.CreditRecordRepository creditRecords, Employers.CreditRecordService credit,
    Listings.ListingWorkflow listings, Calendar.CalendarStore calendars, Npgsql.NpgsqlDataSource db, Audit.AuditLog audit, TimeProvider time) : AppPage
{
    public ClueRow Clue { get; private set; } = null!;
    public WorkflowEngine Engine { get; private set; } = null!;
    public IReadOnlyList<ClockView> Clocks { get; private set; } = [];
    public IReadOnlyList<ActionDefinition> Actions { get; private set; } = [];
    public IReadOnlyList<UserRow> Assignable { get; private set; } = [];
    public IReadOnlyList<TimelineEntry> Timeline { get; private set; } = [];
    public string Diagram { get; private set; } = "";
    public ComplainantFull? FullComplainant { get; private set; }

    /// <summary>When the page was made, for the printed sheet's footer line.</summary>
    public string PrintedAt => Infrastructure.Display.Time(Engine.ToLocal(time.GetUtcNow()));

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

    public ActionFormsModel ActionForms => new(Actions, Clue.Version, Me.Id, OpenAction, ActionMessage, PostedValue, ErrorFor, Assignable,
        OtherDistricts, ExtendableClocks);

    /// <summary>The clue's employer at a glance: its other clues, records and listing.</summary>
    public Employers.EmployerCard Employer { get; private set; } = null!;

    /// <summary>The 不良行为记录 this clue grounds, if any.</summary>
    public Employers.CreditRecordRow? CreditRecord { get; private set; }

    /// <summary>The clue may ground a record and the caller may propose it (none yet).</summary>
    public bool MayRecordCredit => CreditRecord == null && credit.MayGround(Clue) && AccessPolicy.CanRecordCredit(Me, Clue.DistrictId);

    public bool MayConfirmCredit => CreditRecord is { Status: Employers.CreditStatuses.Proposed } && AccessPolicy.CanConfirmCredit(Me, Clue.DistrictId);

    public string? CreditMessage { get; private set; }

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
        var outcome = await workflow.FireAsync(Clue, actionId, Me, WorkflowForms.FieldsFromForm(Engine.Definition.FindAction(actionId), Request.Form), _clocks);
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
        await audit.LogPersonalDataViewAsync(id, Me.Id, "view", time.GetUtcNow());
        FullComplainant = new ComplainantFull(Clue.ComplainantName, Clue.ComplainantPhone, Clue.ComplainantIdNumber);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    /// <summary>登记不良行为记录 from this clue: proposed by the district's staff, confirmed by its supervisor.</summary>
    public async Task<IActionResult> OnPostRecordCreditAsync(long id, string? finding, string? amount, string? foundOn)
    {
        if (!await LoadAsync(id)) return NotFound();
        decimal? parsed = decimal.TryParse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) ? a : null;
        if (!string.IsNullOrWhiteSpace(amount) && parsed == null) { FieldErrors["credit.amount"] = ["请填写金额（元）"]; return Page(); }
        switch (await credit.RecordAsync(Clue, Me, finding, parsed, foundOn))
        {
            case Employers.CreditResult.Done:
                Flash("已登记不良行为记录，待负责人确认");
                return Redirect($"/clues/{id}");
            case Employers.CreditResult.Invalid bad:
                foreach (var (field, messages) in bad.Errors) FieldErrors[$"credit.{field}"] = messages;
                break;
            case Employers.CreditResult.Forbidden f: CreditMessage = f.Message; break;
            case Employers.CreditResult.Conflict c: CreditMessage = c.Message; break;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmCreditAsync(long id, int revision)
    {
        if (!await LoadAsync(id)) return NotFound();
        if (CreditRecord == null) return NotFound();
        switch (await credit.ConfirmAsync(CreditRecord, Me, revision))
        {
            case Employers.CreditResult.Done:
                Flash("已确认不良行为记录");
                return Redirect($"/clues/{id}");
            case Employers.CreditResult.Forbidden f: CreditMessage = f.Message; break;
            case Employers.CreditResult.Conflict c: CreditMessage = c.Message; break;
        }
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
        Clocks = ClockView.For(Engine, await calendars.GetAsync(db), _clocks, now);
        Actions = workflow.AllowedActions(Clue, _clocks, Me).Select(a => Engine.Definition.FindAction(a)!).ToList();
        Assignable = Actions.Any(a => a.FieldList.Any(f => f.Type == FieldTypes.User)) ? await users.AssignableAsync(Clue.DistrictId) : [];
        if (Actions.Any(a => a.FieldList.Any(f => f.Type == FieldTypes.District)))
            OtherDistricts = (await districts.ListAsync()).Where(d => d.Id != Clue.DistrictId).ToList();
        ExtendableClocks = WorkflowForms.ExtendableClocks(Engine, _clocks, now);
        Timeline = await TimelineAsync();
        Employer = await Employers.EmployerCard.LoadAsync(employers, listings, Clue.EmployerId, Me, Clue.DistrictId, Clue.Id);
        CreditRecord = await creditRecords.ForClueAsync(Clue.Id);
        // The generated diagram, with the clue's state marked (a Mermaid class; the colour is explained beside it).
        Diagram = Engine.ToMermaid() + $"\tclassDef current fill:#b71c1c,color:#fff,stroke:#7f0000\n\tclass {WorkflowEngine.MermaidId(Clue.State)} current\n";
        return true;
    }

    private async Task<IReadOnlyList<TimelineEntry>> TimelineAsync()
    {
        var names = (await users.ListAsync()).ToDictionary(u => u.Id, u => u.DisplayName);
        var districtNames = (await districts.ListAsync()).ToDictionary(d => d.Id, d => d.Name);
        var registered = new TimelineEntry("", "登记线索", null,
            [$"渠道：{Channels.Names.GetValueOrDefault(Clue.Channel, Clue.Channel)}", $"接收时间：{Display.Time(Engine.ToLocal(Clue.ReceivedAt))}"], "registered");
        return WorkflowForms.Timeline(Engine, await clues.HistoryAsync(Clue.Id), registered, names, districtNames);
    }
}
