using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Employers;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Listings;

/// <summary>启动名单程序: from a clue or an employer, with the 责令 order; the same checks as the API (ListingWorkflow.StartAsync).</summary>
[Authorize(Roles = Roles.Supervisor)]
public sealed class NewModel(ListingWorkflow workflow, ClueRepository clues, EmployerRepository employers) : AppPage
{
    [BindProperty(SupportsGet = true)] public long? ClueId { get; set; }
    [BindProperty(SupportsGet = true)] public long? EmployerId { get; set; }
    [BindProperty] public string? OrderNumber { get; set; }
    [BindProperty] public string? OrderDeadline { get; set; }
    [BindProperty] public string? Amount { get; set; }
    [BindProperty] public string? WorkerCount { get; set; }
    [BindProperty] public bool GroupIncident { get; set; }

    public ClueRow? Clue { get; private set; }
    public EmployerRow? Employer { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public string? Message { get; private set; }
    public decimal Threshold => workflow.Options.AmountThreshold;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        Amount ??= Clue?.AmountOwed.ToString("0.00", CultureInfo.InvariantCulture);
        WorkerCount ??= Clue?.WorkerCount.ToString(CultureInfo.InvariantCulture);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!await LoadAsync()) return NotFound();
        decimal? amount = null;
        int? workers = null;
        if (!string.IsNullOrWhiteSpace(Amount))
        {
            if (decimal.TryParse(Amount, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a)) amount = a;
            else Errors["amount"] = ["请填写金额（元）"];
        }
        if (!string.IsNullOrWhiteSpace(WorkerCount))
        {
            if (int.TryParse(WorkerCount, NumberStyles.None, CultureInfo.InvariantCulture, out var w)) workers = w;
            else Errors["workerCount"] = ["请填写整数"];
        }
        if (Errors.Count > 0) return Page();
        switch (await workflow.StartAsync(new StartListingRequest(ClueId, EmployerId, null, OrderNumber, OrderDeadline, amount, workers, GroupIncident), Me))
        {
            case ListingStart.Created created:
                Flash("已启动失信联合惩戒名单程序，请及时送达告知书");
                return Redirect($"/listings/{created.Id}");
            case ListingStart.Invalid bad: Errors = bad.Errors; break;
            case ListingStart.Forbidden f: Message = f.Message; break;
            case ListingStart.InProgress open: Message = $"该用人单位已有正在办理的名单案件（{open.CaseNumber}）"; break;
        }
        return Page();
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    private async Task<bool> LoadAsync()
    {
        if (ClueId is { } clueId)
        {
            Clue = await ClueEndpoints.FindReadableAsync(clueId, Me, clues);
            if (Clue == null) return false;
            EmployerId = Clue.EmployerId;
        }
        Employer = EmployerId is { } id ? await employers.FindAsync(id) : null;
        return Employer != null;
    }
}
