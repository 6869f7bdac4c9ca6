using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Clues;

/// <summary>
/// The intake form. The same validation as the API (IntakeValidation), its messages shown next to each field. The
/// form carries an idempotency key made when it was opened, so a double click or a resent form makes one clue.
/// </summary>
[Authorize(Roles = $"{Roles.Caseworker},{Roles.Supervisor}")]
public sealed class NewModel(DistrictRepository districts, ClueWorkflow workflow, Employers.EmployerRepository employers, ClueRepository clues,
    DuplicateFinder duplicates, TimeProvider time, IOptions<ClueOptions> options, IOptions<Notifications.EmailOptions> email) : AppPage
{
    [BindProperty] public string? Channel { get; set; }
    [BindProperty] public string? DistrictId { get; set; }
    [BindProperty] public string? ComplainantName { get; set; }
    [BindProperty] public string? ComplainantPhone { get; set; }
    [BindProperty] public string? ComplainantIdNumber { get; set; }
    [BindProperty] public string? EmployerName { get; set; }
    [BindProperty] public string? EmployerCreditCode { get; set; }
    [BindProperty] public string? Industry { get; set; }
    [BindProperty] public string? WorkerCount { get; set; }
    [BindProperty] public string? AmountOwed { get; set; }
    [BindProperty] public string? Description { get; set; }
    /// <summary>Beijing time from a datetime-local input; empty means now.</summary>
    [BindProperty] public string? ReceivedAt { get; set; }
    [BindProperty] public string? FormKey { get; set; }
    /// <summary>The existing employer the caseworker confirmed (the match shown under the employer's name), or empty.</summary>
    [BindProperty] public string? EmployerId { get; set; }
    /// <summary>The caseworker saw the likely duplicates and registers anyway.</summary>
    [BindProperty] public bool NotADuplicate { get; set; }

    /// <summary>Recent clues this intake may repeat, shown before saving; empty when none or once confirmed.</summary>
    public IReadOnlyList<LikelyDuplicate> Duplicates { get; private set; } = [];

    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public IReadOnlyList<DistrictResponse> MyDistricts { get; private set; } = [];

    public async Task OnGetAsync()
    {
        await LoadAsync();
        FormKey = Guid.NewGuid().ToString("N");
        DistrictId ??= MyDistricts.FirstOrDefault()?.Id;
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await LoadAsync();
        int? workers = null;
        decimal? amount = null;
        if (!string.IsNullOrWhiteSpace(WorkerCount))
        {
            if (int.TryParse(WorkerCount, NumberStyles.None, CultureInfo.InvariantCulture, out var w)) workers = w;
            else Errors["workerCount"] = ["请填写整数"];
        }
        if (!string.IsNullOrWhiteSpace(AmountOwed))
        {
            if (decimal.TryParse(AmountOwed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var a)) amount = a;
            else Errors["amountOwed"] = ["请填写金额（元），如 28600 或 28600.50"];
        }
        long? employerId = long.TryParse(EmployerId, NumberStyles.None, CultureInfo.InvariantCulture, out var eid) ? eid : null;
        var request = new IntakeRequest(Channel, DistrictId, ComplainantName, ComplainantPhone, Blank(ComplainantIdNumber), EmployerName,
            Blank(EmployerCreditCode), Blank(Industry), workers, amount, Description, ReceivedAtWithOffset(), employerId);
        var (intake, errors) = IntakeValidation.Validate(request, MyDistricts.Select(d => d.Id).ToHashSet(), time.GetUtcNow(), options.Value);
        foreach (var (field, messages) in errors) Errors.TryAdd(field, messages);
        if (intake != null)
            foreach (var (field, messages) in await employers.CheckConfirmedAsync(intake.EmployerId, intake.EmployerCreditCode)) Errors.TryAdd(field, messages);
        if (intake == null || Errors.Count > 0 || string.IsNullOrEmpty(FormKey)) return Page();
        if (!NotADuplicate && (Duplicates = await duplicates.FindAsync(intake, Me)).Count > 0) return Page();

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\u001f", Channel, DistrictId, ComplainantName, ComplainantPhone,
            ComplainantIdNumber, EmployerName, EmployerCreditCode, Industry, WorkerCount, AmountOwed, Description, ReceivedAt, EmployerId)));
        var result = await workflow.RegisterAsync(intake, Me, $"form-{FormKey}", hash);
        if (result.Outcome == IntakeOutcome.KeyReusedForAnotherRequest)
        {
            Errors["form"] = ["此表单已提交过一条不同的线索，请重新打开登记页面"];
            return Page();
        }
        var code = result.Created?.Clue.TrackingCode ?? (await clues.FindAsync(result.ClueId))!.TrackingCode;
        Flash($"线索已登记。请告知反映人：{Tracking.ProgressLookup.HowToLookUp(code, email.Value.BaseUrl)}。");
        return Redirect($"/clues/{result.ClueId}");
    }

    public double DuplicateDays => options.Value.DuplicateWindow.TotalDays;

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    private async Task LoadAsync() => MyDistricts = (await districts.ListAsync()).Where(d => Me.IsIn(d.Id)).ToList();

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>datetime-local gives "2026-11-25T09:05" without a zone; it is Beijing time, the definition's zone.</summary>
    private string? ReceivedAtWithOffset()
    {
        if (string.IsNullOrWhiteSpace(ReceivedAt)) return null;
        if (!DateTime.TryParseExact(ReceivedAt, ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return ReceivedAt; // the validator names the field
        var offset = workflow.CurrentEngine.Zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);
    }
}
