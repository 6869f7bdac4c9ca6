using System.Globalization;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Districts;
using WageClue.Server.Infrastructure.Http;

namespace WageClue.Server.Features.Audit;

/// <summary>The audit logs for the auditor: JSON pages, or the whole period as CSV or Excel (format=csv|xlsx).</summary>
public static class AuditEndpoints
{
    public sealed record AuditPage(IReadOnlyList<string> Columns, IReadOnlyList<string[]> Rows, int Page, int PageSize, long Total);

    public static void MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/audit").WithTags("Audit").RequireAuthorization();
        group.MapGet("/personal-data", (HttpContext http, CurrentUser me, AuditLog log, ClueWorkflow workflow, DistrictRepository districts, TimeProvider time) =>
                ReadAsync(http, me, AuditTables.PersonalData, log, workflow, districts, time))
            .Produces<AuditPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Who saw a complainant's full data, when, on which clue (auditor). from, to (yyyy-MM-dd, Beijing days), page, pageSize, format.");
        group.MapGet("/users", (HttpContext http, CurrentUser me, AuditLog log, ClueWorkflow workflow, DistrictRepository districts, TimeProvider time) =>
                ReadAsync(http, me, AuditTables.Users, log, workflow, districts, time))
            .Produces<AuditPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Every change to a user account: created, role or districts changed, disabled, password reset, by whom (auditor).");
    }

    private static async Task<IResult> ReadAsync(HttpContext http, CurrentUser me, string which, AuditLog log, ClueWorkflow workflow,
        DistrictRepository districts, TimeProvider time)
    {
        if (!AccessPolicy.CanReadAudit(me)) return Problems.Forbidden("只有安全审计员可以查看审计日志");
        var q = http.Request.Query;
        var engine = workflow.CurrentEngine;
        var (from, to, fromDay, toDay, errors) = AuditTables.Period(q["from"].FirstOrDefault(), q["to"].FirstOrDefault(), engine, time.GetUtcNow());
        var page = ClueEndpoints.ParsePositive(q["page"].FirstOrDefault(), "page", 1, int.MaxValue / ClueEndpoints.MaxPageSize, errors);
        var pageSize = ClueEndpoints.ParsePositive(q["pageSize"].FirstOrDefault(), "pageSize", 50, ClueEndpoints.MaxPageSize, errors);
        var format = q["format"].FirstOrDefault();
        if (format != null && !Shared.Export.IsFormat(format)) errors["format"] = ["须为 csv 或 xlsx"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var (header, total, rows) = await TableAsync(which, log, engine, districts, from, to, format == null ? page : 1, format == null ? pageSize : int.MaxValue);
        if (format == null) return TypedResults.Ok(new AuditPage(header, rows, page, pageSize, total));
        var name = $"{(which == AuditTables.PersonalData ? "个人信息查看日志" : "用户管理日志")}-{fromDay:yyyyMMdd}-{toDay:yyyyMMdd}";
        return format == Shared.Export.CsvFormat
            ? TypedResults.File(Shared.Export.Csv(header, rows), "text/csv; charset=utf-8", $"{name}.csv")
            : TypedResults.File(Shared.Export.Excel("审计日志", header, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", $"{name}.xlsx");
    }

    /// <summary>One page (or, for a download, the whole period) of a log as rows of text.</summary>
    public static async Task<(string[] Header, long Total, IReadOnlyList<string[]> Rows)> TableAsync(string which, AuditLog log,
        WageClue.Workflows.Engine.WorkflowEngine engine, DistrictRepository districts, DateTimeOffset from, DateTimeOffset to, int page, int pageSize)
    {
        if (which == AuditTables.PersonalData)
        {
            var names = (await districts.ListAsync()).ToDictionary(d => d.Id, d => d.Name);
            var (items, total) = await log.PersonalDataViewsAsync(from, to, page, pageSize);
            return (AuditTables.PersonalDataHeader, total, items.Select(r => AuditTables.Row(r, engine, names)).ToList());
        }
        var (changes, count) = await log.UserChangesAsync(from, to, page, pageSize);
        return (AuditTables.UsersHeader, count, changes.Select(r => AuditTables.Row(r, engine)).ToList());
    }
}
