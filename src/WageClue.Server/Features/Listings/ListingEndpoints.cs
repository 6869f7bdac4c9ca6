using System.Globalization;
using System.Text.Json;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Employers;
using WageClue.Server.Features.Instances;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Listings;

public sealed record StartListingRequest(long? ClueId, long? EmployerId, string? DistrictId, string? OrderNumber, string? OrderDeadline,
    decimal? Amount, int? WorkerCount, bool? GroupIncident);

public sealed record ListingResponse(long Id, string CaseNumber, string State, string StateName, int Version, DefinitionRef Definition,
    NamedRef District, EmployerResponse Employer, string? ClueTrackingCode, UserRef? Assignee, string OrderNumber, DateOnly OrderDeadline,
    decimal Amount, int WorkerCount, bool GroupIncident, string? NoticeNumber, string? Objection, string? ObjectionReply, string? ClosedReason,
    DateOnly? CorrectedOn, string? Pledge, string? DecisionNumber, string? DecisionReason, string? DecisionBasis, string? Sanctions,
    string? RemovalConditions, string? Remedies, string? LegalRepresentative, string? ResponsiblePersons, DateTimeOffset? DecidedAt,
    string? EndReason, IReadOnlyList<ClockResponse> Clocks, IReadOnlyList<ActionRef> AllowedActions);

/// <summary>The public announcement's fields only (公示): never a complainant's or a worker's data.</summary>
public sealed record PublicListingResponse(string EmployerName, string? CreditCode, string? LegalRepresentative, string? DecisionNumber,
    string? Reason, string? Sanctions, DateOnly DecidedOn, DateOnly TermEndsOn, string District);

public static class ListingEndpoints
{
    public static void MapListingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/listings").WithTags("Listings").RequireAuthorization();
        group.MapPost("/", StartAsync).Produces<ListingResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Start a listing case (人社部令第45号) from a clue or an employer: the 责令 order, its deadline (passed), the amount or a group incident.");
        group.MapGet("/", ListAsync).Produces<List<ListingResponse>>()
            .WithSummary("Listing cases of the caller's districts (leaders: the city); filters state, employerId, page, pageSize.");
        group.MapGet("/export", ExportAsync)
            .WithSummary("Employers listed now, for the credit-sharing platform: format=csv or json, with the decision's public fields and the term.");
        group.MapGet("/{id:long}", GetAsync).Produces<ListingResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One listing case with its clocks and the actions the caller may take now.");
        group.MapGet("/{id:long}/history", HistoryAsync).Produces<List<HistoryResponse>>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:long}/actions/{action}", FireActionAsync).Produces<ListingResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Fire an action of the listing definition with its fields and optionally expectedVersion.");

        app.MapGet("/api/public/listings", PublicAsync).WithTags("Public").AllowAnonymous().Produces<List<PublicListingResponse>>()
            .WithSummary("The public announcement of employers listed now (no login), paged: page, pageSize.");
    }

    private static async Task<IResult> StartAsync(HttpContext http, CurrentUser me, ListingWorkflow workflow, ListingRepository listings, TimeProvider time)
    {
        var (request, _, error) = await JsonBody.ReadAsync<StartListingRequest>(http);
        if (error != null) return error;
        return await workflow.StartAsync(request!, me) switch
        {
            ListingStart.Created created => TypedResults.Created($"/api/listings/{created.Id}",
                (await listings.FindWithClocksAsync(created.Id)) is var (listing, clocks) ? ToResponse(listing, clocks, me, workflow, time.GetUtcNow()) : null),
            ListingStart.Invalid invalid => Problems.Invalid(invalid.Errors),
            ListingStart.Forbidden forbidden => Problems.Forbidden(forbidden.Message),
            ListingStart.InProgress open => Problems.Conflict($"该用人单位已有正在办理的名单案件（{open.CaseNumber}）"),
            var other => throw new InvalidOperationException($"Unhandled start {other}"),
        };
    }

    private static async Task<IResult> ListAsync(HttpContext http, CurrentUser me, ListingRepository listings, ListingWorkflow workflow, TimeProvider time)
    {
        if (!AccessPolicy.CanSeeEmployers(me)) return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不查看名单案件");
        var q = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        var state = q["state"].FirstOrDefault();
        if (state != null && workflow.CurrentEngine.Definition.FindState(state) == null) errors["state"] = ["没有这个状态"];
        var employerId = ClueEndpoints.ParseId(q["employerId"].FirstOrDefault(), "employerId", errors);
        var page = ClueEndpoints.ParsePositive(q["page"].FirstOrDefault(), "page", 1, 100_000, errors);
        var pageSize = ClueEndpoints.ParsePositive(q["pageSize"].FirstOrDefault(), "pageSize", 25, ClueEndpoints.MaxPageSize, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (items, total) = await listings.ListAsync(AccessPolicy.RecordsScope(me), state, employerId, page, pageSize);
        http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        var clocks = (await listings.ClocksAsync(items.Select(i => i.Id).ToList())).ToLookup(k => k.InstanceId);
        var now = time.GetUtcNow();
        return TypedResults.Ok(items.Select(l => ToResponse(l, clocks[l.Id].ToList(), me, workflow, now)).ToList());
    }

    private static async Task<IResult> GetAsync(long id, CurrentUser me, ListingRepository listings, ListingWorkflow workflow, TimeProvider time)
    {
        var found = await ReadableAsync(id, me, listings);
        if (found == null) return Problems.NotFound("没有这个名单案件");
        return TypedResults.Ok(ToResponse(found.Value.Listing, found.Value.Clocks, me, workflow, time.GetUtcNow()));
    }

    private static async Task<IResult> HistoryAsync(long id, CurrentUser me, ListingRepository listings, ListingWorkflow workflow)
    {
        var found = await ReadableAsync(id, me, listings);
        if (found == null) return Problems.NotFound("没有这个名单案件");
        var engine = workflow.EngineFor(found.Value.Listing);
        return TypedResults.Ok((await listings.HistoryAsync(id)).Select(h => ClueResponses.History(engine, h)).ToList());
    }

    private static async Task<IResult> FireActionAsync(long id, string action, HttpContext http, CurrentUser me, ListingRepository listings,
        ListingWorkflow workflow, TimeProvider time)
    {
        var (doc, error) = await JsonBody.ReadObjectAsync(http.Request, allowEmpty: true);
        if (error != null) return error;
        using var _ = doc;
        var found = await ReadableAsync(id, me, listings);
        if (found == null) return Problems.NotFound("没有这个名单案件");
        var (listing, clocks) = found.Value;
        var (fields, invalid) = ActionHttp.Fields(doc!, listing.Version, "名单案件");
        if (invalid != null) return invalid;
        return await workflow.FireAsync(listing, action, me, fields!, clocks) switch
        {
            ListingOutcome.Done done => TypedResults.Ok(ToResponse(done.Listing, done.Clocks, me, workflow, time.GetUtcNow())),
            ListingOutcome.NotPermitted no => Problems.Forbidden(no.Message),
            ListingOutcome.BadReferences bad => Problems.Invalid(bad.Errors),
            ListingOutcome.VersionMovedOn => Problems.Conflict("名单案件已被他人同时更新，请刷新后重试"),
            ListingOutcome.Refusal { Reason: var refused } => ActionHttp.Problem(refused),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}"),
        };
    }

    private static async Task<IResult> ExportAsync(HttpContext http, CurrentUser me, ListingRepository listings, ListingWorkflow workflow, TimeProvider time)
    {
        if (!AccessPolicy.CanExportRecords(me)) return Problems.Forbidden("只有负责人和局领导可以导出名单");
        var format = http.Request.Query["format"].FirstOrDefault() ?? "csv";
        if (format is not ("csv" or "json")) return Problems.Invalid("format", "须为 csv 或 json");
        var (items, _) = await listings.PublishedAsync(1, int.MaxValue);
        var rows = items.Select(p => ToPublic(p, workflow.CurrentEngine)).ToList();
        if (format == "json") return TypedResults.Json(rows);
        var day = workflow.CurrentEngine.ToLocal(time.GetUtcNow()).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return TypedResults.File(Shared.Export.Csv(["用人单位", "统一社会信用代码", "法定代表人", "决定书文号", "列入事由", "惩戒措施", "列入日期", "期限届满日", "区县"],
            rows.Select(p => new[] { p.EmployerName, p.CreditCode ?? "", p.LegalRepresentative ?? "", p.DecisionNumber ?? "", p.Reason ?? "", p.Sanctions ?? "",
                p.DecidedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.TermEndsOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.District })),
            "text/csv; charset=utf-8", $"失信联合惩戒名单-{day}.csv");
    }

    private static async Task<IResult> PublicAsync(HttpContext http, ListingRepository listings, ListingWorkflow workflow)
    {
        var errors = new Dictionary<string, string[]>();
        var page = ClueEndpoints.ParsePositive(http.Request.Query["page"].FirstOrDefault(), "page", 1, 100_000, errors);
        var pageSize = ClueEndpoints.ParsePositive(http.Request.Query["pageSize"].FirstOrDefault(), "pageSize", 20, ClueEndpoints.MaxPageSize, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (items, total) = await listings.PublishedAsync(page, pageSize);
        http.Response.Headers["X-Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(items.Select(p => ToPublic(p, workflow.CurrentEngine)).ToList());
    }

    /// <summary>The term ends at midnight after its last day: the announcement shows that last day.</summary>
    public static PublicListingResponse ToPublic(PublicListing p, WorkflowEngine engine) => new(p.EmployerName, p.CreditCode, p.LegalRepresentative,
        p.DecisionNumber, p.DecisionReason, p.Sanctions, DateOnly.FromDateTime(engine.ToLocal(p.DecidedAt).DateTime),
        DateOnly.FromDateTime(engine.ToLocal(p.TermEndsAt).DateTime).AddDays(-1), p.DistrictName);

    internal static async Task<(ListingRow Listing, IReadOnlyList<ClockRow> Clocks)?> ReadableAsync(long id, CurrentUser me, ListingRepository listings) =>
        AccessPolicy.CanSeeEmployers(me) && await listings.FindWithClocksAsync(id) is { } found && AccessPolicy.CanRead(me, found.Listing.DistrictId, null)
            ? found : null;

    public static ListingResponse ToResponse(ListingRow l, IReadOnlyList<ClockRow> clocks, CurrentUser me, ListingWorkflow workflow, DateTimeOffset now)
    {
        var engine = workflow.EngineFor(l);
        return new ListingResponse(l.Id, l.CaseNumber, l.State, engine.StateName(l.State), l.Version, new DefinitionRef(l.DefinitionId, l.DefinitionVersion),
            new NamedRef(l.DistrictId, l.DistrictName), new EmployerResponse(l.EmployerId, l.EmployerName, l.EmployerCreditCode), l.ClueTrackingCode,
            l.AssigneeId is { } a ? new UserRef(a, l.AssigneeName ?? "") : null, l.OrderNumber, l.OrderDeadline, l.Amount, l.WorkerCount, l.GroupIncident,
            l.NoticeNumber, l.Objection, l.ObjectionReply, l.ClosedReason, l.CorrectedOn, l.Pledge, l.DecisionNumber, l.DecisionReason, l.DecisionBasis,
            l.Sanctions, l.RemovalConditions, l.Remedies, l.LegalRepresentative, l.ResponsiblePersons, l.DecidedAt is { } d ? engine.ToLocal(d) : null,
            l.EndReason, ClueResponses.Clocks(engine, clocks, now),
            workflow.AllowedActions(l, clocks, me).Select(x => new ActionRef(x, engine.ActionName(x))).ToList());
    }
}
