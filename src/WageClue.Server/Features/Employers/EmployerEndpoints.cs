using WageClue.Workflows.Validation;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Employers;

public sealed record EmployerMatch(long Id, string Name, string? CreditCode, string DistrictName, EmployerSummary Summary, string? ListingStateName);

public sealed record CreditRecordRequest(string? Finding, decimal? Amount, string? FoundOn);

public sealed record CreditCorrectionRequest(int? ExpectedRevision, string? Finding, decimal? Amount, string? FoundOn, bool? Withdraw, string? Reason);

public sealed record CreditConfirmRequest(int? ExpectedRevision);

public sealed record CreditRecordResponse(long Id, long EmployerId, string EmployerName, string? EmployerCreditCode, string District, string Finding,
    decimal Amount, DateOnly FoundOn, string Status, string StatusName, int Revision, string RecordedBy, DateTimeOffset RecordedAt,
    string? ConfirmedBy, DateTimeOffset? ConfirmedAt, IReadOnlyList<string> Clues, IReadOnlyList<CreditRevisionResponse>? Revisions = null);

public sealed record CreditRevisionResponse(int Revision, string Kind, string Finding, decimal Amount, DateOnly FoundOn, string Status, string? Reason,
    string ChangedBy, DateTimeOffset ChangedAt);

/// <summary>Employers, and their 不良行为记录: recorded from a clue, confirmed, corrected, exported for the credit-sharing platform.</summary>
public static class EmployerEndpoints
{
    public static void MapEmployerEndpoints(this IEndpointRouteBuilder app)
    {
        var employers = app.MapGroup("/api/employers").WithTags("Employers").RequireAuthorization();
        employers.MapGet("/matches", MatchesAsync).Produces<List<EmployerMatch>>().WithMetadata(new SessionCookieAllowed())
            .WithSummary("Employers an intake would link to or could mean (by credit code, or a name that matches or contains the other), with their open clues, records and listing.");
        employers.MapGet("/{id:long}", GetAsync).Produces<EmployerMatch>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One employer with its city-wide counts.");

        var credit = app.MapGroup("/api/credit-records").WithTags("Credit records").RequireAuthorization();
        app.MapPost("/api/clues/{id:long}/credit-record", RecordAsync).WithTags("Credit records").RequireAuthorization()
            .Produces<CreditRecordResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Propose the 不良行为记录 of a clue resolved with a finding of arrears; a supervisor confirms it.");
        credit.MapGet("/", ListAsync).Produces<List<CreditRecordResponse>>()
            .WithSummary("Credit records of the caller's districts (leaders: the city); filters status, employerId, page, pageSize.");
        credit.MapGet("/export", ExportAsync)
            .WithSummary("Confirmed records for the credit-sharing platform: format=csv (UTF-8 with BOM) or json.");
        credit.MapGet("/{id:long}", GetRecordAsync).Produces<CreditRecordResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One record with every revision.");
        credit.MapPost("/{id:long}/confirm", ConfirmAsync).Produces<CreditRecordResponse>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Confirm a proposed record (a supervisor of its district); expectedRevision guards against a concurrent change.");
        credit.MapPost("/{id:long}/correct", CorrectAsync).Produces<CreditRecordResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Correct (or withdraw) a record with a reason; the earlier values stay in its revisions.");
    }

    private static async Task<IResult> MatchesAsync(HttpContext http, CurrentUser me, EmployerRepository employers, Listings.ListingWorkflow listings)
    {
        if (!AccessPolicy.CanSeeEmployers(me)) return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不查看用人单位");
        var code = http.Request.Query["creditCode"].FirstOrDefault()?.Trim().ToUpperInvariant();
        var name = http.Request.Query["name"].FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(code) && string.IsNullOrEmpty(name)) return Problems.Invalid("name", "请提供 creditCode 或 name");
        if (name != null && TextRules.Check(name, "用人单位名称", 200).Problem is { } problem) return Problems.Invalid("name", problem);
        var found = await employers.MatchesAsync(string.IsNullOrEmpty(code) ? null : code, string.IsNullOrEmpty(name) ? null : name);
        var summaries = await employers.SummariesAsync(found.Select(e => e.Id).ToList());
        return TypedResults.Ok(found.Select(e => Match(e, summaries[e.Id], listings)).ToList());
    }

    private static async Task<IResult> GetAsync(long id, CurrentUser me, EmployerRepository employers, Listings.ListingWorkflow listings)
    {
        if (!AccessPolicy.CanSeeEmployers(me)) return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不查看用人单位");
        var e = await employers.FindAsync(id);
        if (e == null) return Problems.NotFound("没有这个用人单位");
        var summary = (await employers.SummariesAsync([id]))[id];
        return TypedResults.Ok(Match(e, summary, listings));
    }

    private static EmployerMatch Match(EmployerRow e, EmployerSummary s, Listings.ListingWorkflow listings) =>
        new(e.Id, e.Name, e.CreditCode, e.DistrictName, s, s.ListingState is { } state ? listings.CurrentEngine.StateName(state) : null);

    private static async Task<IResult> RecordAsync(long id, HttpContext http, CurrentUser me, ClueRepository clues, CreditRecordService credit)
    {
        var (request, _, error) = await JsonBody.ReadAsync<CreditRecordRequest>(http);
        if (error != null) return error;
        var clue = await ClueEndpoints.FindReadableAsync(id, me, clues);
        if (clue == null) return ClueEndpoints.NotFound(me);
        var result = await credit.RecordAsync(clue, me, request!.Finding, request.Amount, request.FoundOn);
        return result is CreditResult.Done done ? TypedResults.Created($"/api/credit-records/{done.Record.Id}", ToResponse(done.Record, done.Revisions)) : ToProblem(result);
    }

    private static async Task<IResult> ListAsync(HttpContext http, CurrentUser me, CreditRecordRepository records)
    {
        if (!AccessPolicy.CanSeeEmployers(me)) return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不查看不良行为记录");
        var q = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        var status = q["status"].FirstOrDefault();
        if (status != null && status is not (CreditStatuses.Proposed or CreditStatuses.Confirmed or CreditStatuses.Withdrawn))
            errors["status"] = ["须为 proposed、confirmed 或 withdrawn"];
        var employerId = ClueEndpoints.ParseId(q["employerId"].FirstOrDefault(), "employerId", errors);
        var page = ClueEndpoints.ParsePositive(q["page"].FirstOrDefault(), "page", 1, 100_000, errors);
        var pageSize = ClueEndpoints.ParsePositive(q["pageSize"].FirstOrDefault(), "pageSize", 25, ClueEndpoints.MaxPageSize, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (items, total) = await records.ListAsync(AccessPolicy.RecordsScope(me), employerId, status, page, pageSize);
        http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(items.Select(r => ToResponse(r, null)).ToList());
    }

    private static async Task<IResult> GetRecordAsync(long id, CurrentUser me, CreditRecordRepository records)
    {
        var record = await ReadableAsync(id, me, records);
        if (record == null) return Problems.NotFound("没有这条不良行为记录");
        return TypedResults.Ok(ToResponse(record, await records.RevisionsAsync([id])));
    }

    private static async Task<IResult> ConfirmAsync(long id, HttpContext http, CurrentUser me, CreditRecordRepository records, CreditRecordService credit)
    {
        var (request, _, error) = await JsonBody.ReadAsync<CreditConfirmRequest>(http);
        if (error != null) return error;
        var record = await ReadableAsync(id, me, records);
        if (record == null) return Problems.NotFound("没有这条不良行为记录");
        var result = await credit.ConfirmAsync(record, me, request!.ExpectedRevision);
        return result is CreditResult.Done done ? TypedResults.Ok(ToResponse(done.Record, done.Revisions)) : ToProblem(result);
    }

    private static async Task<IResult> CorrectAsync(long id, HttpContext http, CurrentUser me, CreditRecordRepository records, CreditRecordService credit)
    {
        var (request, _, error) = await JsonBody.ReadAsync<CreditCorrectionRequest>(http);
        if (error != null) return error;
        var record = await ReadableAsync(id, me, records);
        if (record == null) return Problems.NotFound("没有这条不良行为记录");
        var r = request!;
        var result = await credit.CorrectAsync(record, me, r.ExpectedRevision, r.Finding, r.Amount, r.FoundOn, r.Withdraw == true, r.Reason);
        return result is CreditResult.Done done ? TypedResults.Ok(ToResponse(done.Record, done.Revisions)) : ToProblem(result);
    }

    private static IResult ToProblem(CreditResult result) => result switch
    {
        CreditResult.Invalid invalid => Problems.Invalid(invalid.Errors),
        CreditResult.Forbidden forbidden => Problems.Forbidden(forbidden.Message),
        CreditResult.Conflict conflict => Problems.Conflict(conflict.Message),
        _ => throw new InvalidOperationException($"Unhandled result {result}"),
    };

    /// <summary>Confirmed records of the caller's districts (leaders: the city), for the credit-sharing platform.</summary>
    private static async Task<IResult> ExportAsync(HttpContext http, CurrentUser me, CreditRecordRepository records, TimeProvider time, ClueWorkflow workflow)
    {
        if (!AccessPolicy.CanExportRecords(me)) return Problems.Forbidden("只有负责人和局领导可以导出不良行为记录");
        var format = http.Request.Query["format"].FirstOrDefault() ?? "csv";
        if (format is not ("csv" or "json")) return Problems.Invalid("format", "须为 csv 或 json");
        var (items, _) = await records.ListAsync(AccessPolicy.RecordsScope(me), null, CreditStatuses.Confirmed, 1, int.MaxValue);
        var day = workflow.CurrentEngine.ToLocal(time.GetUtcNow()).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var rows = items.Select(r => new CreditExportRow(r.Id, r.EmployerName, r.EmployerCreditCode, r.DistrictName, r.Finding, r.Amount, r.FoundOn,
            r.ConfirmedAt!.Value, string.Join(";", r.ClueCodes))).ToList();
        if (format == "json") return TypedResults.Json(rows);
        return TypedResults.File(Shared.Export.Csv(["记录编号", "用人单位", "统一社会信用代码", "区县", "认定事实", "金额（元）", "认定日期", "确认时间", "线索编号"],
            rows.Select(r => new[] { r.Id.ToString(CultureInfo.InvariantCulture), r.EmployerName, r.CreditCode ?? "", r.District, r.Finding,
                r.Amount.ToString("0.00", CultureInfo.InvariantCulture), r.FoundOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                workflow.CurrentEngine.ToLocal(r.ConfirmedAt).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), r.Clues })),
            "text/csv; charset=utf-8", $"不良行为记录-{day}.csv");
    }

    public sealed record CreditExportRow(long Id, string EmployerName, string? CreditCode, string District, string Finding, decimal Amount,
        DateOnly FoundOn, DateTimeOffset ConfirmedAt, string Clues);

    private static async Task<CreditRecordRow?> ReadableAsync(long id, CurrentUser me, CreditRecordRepository records) =>
        await records.FindAsync(id) is { } r && AccessPolicy.CanSeeEmployers(me) && AccessPolicy.CanRead(me, r.DistrictId, null) ? r : null;

    public static CreditRecordResponse ToResponse(CreditRecordRow r, IReadOnlyList<CreditRevisionRow>? revisions) => new(
        r.Id, r.EmployerId, r.EmployerName, r.EmployerCreditCode, r.DistrictName, r.Finding, r.Amount, r.FoundOn, r.Status,
        CreditStatuses.ChineseName(r.Status), r.Revision, r.RecordedByName, r.RecordedAt, r.ConfirmedByName, r.ConfirmedAt, r.ClueCodes,
        revisions?.Select(v => new CreditRevisionResponse(v.Revision, v.Kind, v.Finding, v.Amount, v.FoundOn, v.Status, v.Reason, v.ChangedByName, v.ChangedAt)).ToList());
}

