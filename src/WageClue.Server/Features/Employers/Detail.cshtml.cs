using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Listings;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Employers;

/// <summary>
/// One employer: its clues (those the caller may read, with the city-wide counts), its 不良行为记录 with every
/// revision, and its listing cases. A repeat offender is visible at a glance.
/// </summary>
[Authorize(Roles = $"{Roles.Caseworker},{Roles.Supervisor},{Roles.Leader}")]
public sealed class DetailModel(EmployerRepository employers, CreditRecordRepository records, CreditRecordService credit, ListingRepository listings,
    ListingWorkflow listingWorkflow, ClueWorkflow clueWorkflow) : AppPage
{
    public EmployerCard Card { get; private set; } = null!;
    public IReadOnlyList<EmployerClue> Clues { get; private set; } = [];
    public IReadOnlyList<CreditRecordRow> Records { get; private set; } = [];
    public ILookup<long, CreditRevisionRow> Revisions { get; private set; } = Array.Empty<CreditRevisionRow>().ToLookup(r => r.RecordId);
    public IReadOnlyList<ListingRow> Listings { get; private set; } = [];
    public string? Message { get; private set; }
    public long? OpenRecord { get; private set; }
    public Dictionary<string, string[]> Errors { get; } = new();

    public const int ClueLimit = 200;

    /// <summary>A supervisor of a district may start a case when none is in progress (the employer is known by its first district).</summary>
    public bool MayStartListing => Card.Summary.ListingState is not { } s || ListingRepository.Finished.Contains(s)
        ? Me.Role == Roles.Supervisor && Me.Districts.Count > 0 : false;

    public async Task<IActionResult> OnGetAsync(long id) => await LoadAsync(id) ? Page() : NotFound();

    /// <summary>更正 or 撤回 a record, with its reason; the earlier values stay in its revisions.</summary>
    public async Task<IActionResult> OnPostCorrectAsync(long id, long recordId, int revision, string? finding, string? amount, string? foundOn,
        bool withdraw, string? reason)
    {
        if (!await LoadAsync(id)) return NotFound();
        var record = Records.FirstOrDefault(r => r.Id == recordId);
        if (record == null) return NotFound();
        OpenRecord = recordId;
        decimal? parsed = decimal.TryParse(amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a) ? a : null;
        if (!string.IsNullOrWhiteSpace(amount) && parsed == null) { Errors["amount"] = ["请填写金额（元）"]; return Page(); }
        switch (await credit.CorrectAsync(record, Me, revision, finding, parsed, foundOn, withdraw, reason))
        {
            case CreditResult.Done:
                Flash(withdraw ? "已撤回不良行为记录" : "已更正不良行为记录");
                return Redirect($"/employers/{id}#credit");
            case CreditResult.Invalid bad: foreach (var (k, v) in bad.Errors) Errors[k] = v; break;
            case CreditResult.Forbidden f: Message = f.Message; break;
            case CreditResult.Conflict c: Message = c.Message; break;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostConfirmAsync(long id, long recordId, int revision)
    {
        if (!await LoadAsync(id)) return NotFound();
        var record = Records.FirstOrDefault(r => r.Id == recordId);
        if (record == null) return NotFound();
        switch (await credit.ConfirmAsync(record, Me, revision))
        {
            case CreditResult.Done:
                Flash("已确认不良行为记录");
                return Redirect($"/employers/{id}#credit");
            case CreditResult.Forbidden f: Message = f.Message; break;
            case CreditResult.Conflict c: Message = c.Message; break;
        }
        OpenRecord = recordId;
        return Page();
    }

    public bool MayCorrect(CreditRecordRow r) => AccessPolicy.CanConfirmCredit(Me, r.DistrictId) && r.Status != CreditStatuses.Withdrawn;

    public bool MayConfirm(CreditRecordRow r) => AccessPolicy.CanConfirmCredit(Me, r.DistrictId) && r.Status == CreditStatuses.Proposed;

    public string ClueState(EmployerClue c) => clueWorkflow.EngineFor(c.DefinitionId, c.DefinitionVersion).StateName(c.State);

    public string OutcomeName(EmployerClue c) => c.OutcomeType == null ? "" : clueWorkflow.EngineFor(c.DefinitionId, c.DefinitionVersion).AttributeLabel("outcomeType", c.OutcomeType);

    /// <summary>A stored instant as the bureau's local time (the definition's zone).</summary>
    public DateTimeOffset Local(DateTimeOffset t) => clueWorkflow.CurrentEngine.ToLocal(t);

    public string ListingState(ListingRow l) => listingWorkflow.EngineFor(l).StateName(l.State);

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    /// <summary>What was typed into the refused form of this record, or the record's value when nothing was posted for it.</summary>
    public string Value(CreditRecordRow r, string field, string current) =>
        OpenRecord == r.Id && Request.HasFormContentType && Request.Form.ContainsKey(field) ? Request.Form[field].ToString() : current;

    private async Task<bool> LoadAsync(long id)
    {
        if (await employers.FindAsync(id) == null) return false;
        Card = await EmployerCard.LoadAsync(employers, listingWorkflow, id, Me, "", null);
        Clues = await employers.CluesAsync(id, AccessPolicy.Scope(Me), ClueLimit);
        Records = (await records.ListAsync(AccessPolicy.RecordsScope(Me), id, null, 1, 500)).Items;
        Revisions = (await records.RevisionsAsync(Records.Select(r => r.Id).ToList())).ToLookup(r => r.RecordId);
        Listings = (await listings.ListAsync(AccessPolicy.RecordsScope(Me), null, id, 1, 100)).Items;
        return true;
    }
}
