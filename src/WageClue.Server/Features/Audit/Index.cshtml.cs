using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Shared;

namespace WageClue.Server.Features.Audit;

/// <summary>审计日志: the auditor's page over the two logs, by period, with the API's downloads.</summary>
public sealed class IndexModel(AuditLog log, ClueWorkflow workflow, DistrictRepository districts, TimeProvider time) : AppPage
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)] public string Log { get; set; } = AuditTables.PersonalData;
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public IReadOnlyList<string> Header { get; private set; } = [];
    public IReadOnlyList<string[]> Rows { get; private set; } = [];
    public long Total { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = new();

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!AccessPolicy.CanReadAudit(Me)) return Forbid();
        if (Log != AuditTables.Users) Log = AuditTables.PersonalData;
        var engine = workflow.CurrentEngine;
        var (from, to, fromDay, toDay, errors) = AuditTables.Period(From, To, engine, time.GetUtcNow());
        Errors = errors;
        (From, To) = (fromDay.ToString("yyyy-MM-dd"), toDay.ToString("yyyy-MM-dd"));
        if (errors.Count > 0) return Page();
        PageNumber = PagerModel.Clamp(PageNumber);
        (Header, Total, Rows) = await AuditEndpoints.TableAsync(Log, log, engine, districts, from, to, PageNumber, PageSize);
        return Page();
    }
}
