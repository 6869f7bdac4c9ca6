using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Districts;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Clues;

public static partial class ClueEndpoints
{
    public const int MaxPageSize = 100;

    public static void MapClueEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/clues").WithTags("Clues").RequireAuthorization();
        group.MapPost("/", RegisterAsync).Accepts<IntakeRequest>("application/json")
            .Produces<ClueResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Register a clue. Send an Idempotency-Key header so that a retry returns the first clue instead of a second one.");
        group.MapPost("/duplicates", DuplicatesAsync).Accepts<IntakeRequest>("application/json").Produces<List<LikelyDuplicate>>().ProducesValidationProblem()
            .WithSummary("A dry run of an intake: the same body, validated the same way; answers the recent clues it may repeat (same phone or employer) and writes nothing.");
        group.MapGet("/", ListAsync).Produces<CluePage>().ProducesValidationProblem()
            .WithSummary("Clues the caller may read, newest first; search with q (a tracking code, a credit code, the phone or its last 4+ digits, a complainant's name or part of an employer's name); filters: state, district, assignee (a user id, 'me' or 'none'), channel, overdue=true, dueBefore, sort=received|due, page, pageSize. With q the total counts up to 1 000 (totalCapped).");
        group.MapGet("/{id:long}", GetAsync).Produces<ClueResponse>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One clue with its clocks and the actions the caller may take now.");
        group.MapGet("/{id:long}/history", HistoryAsync).Produces<List<HistoryResponse>>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The clue's timeline, oldest first.");
        group.MapGet("/{id:long}/complainant", ComplainantAsync).Produces<ComplainantFull>().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("The complainant's full name, phone and ID number, for the clue's district only; every call is logged.");
        group.MapPost("/{id:long}/actions/{action}", FireActionAsync)
            .Produces<ClueResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Fire a workflow action with its fields (see the definition) and optionally expectedVersion.");
    }

    private static async Task<IResult> RegisterAsync(HttpContext http, CurrentUser me, DistrictRepository districts, Employers.EmployerRepository employers,
        ClueWorkflow workflow, ClueRepository clues, ClueResponses responses, DuplicateFinder duplicates, TimeProvider time, IOptions<ClueOptions> options)
    {
        if (!AccessPolicy.MayRegisterAtAll(me))
            return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不能登记线索");
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 0 && !IdempotencyKeyPattern().IsMatch(key))
            return Problems.Invalid("Idempotency-Key", "Idempotency-Key 须为 1-200 个可见 ASCII 字符");

        var (request, raw, error) = await JsonBody.ReadAsync<IntakeRequest>(http);
        if (error != null) return error;

        var known = (await districts.ListAsync()).Select(d => d.Id).ToHashSet();
        var (intake, errors) = IntakeValidation.Validate(request!, known, time.GetUtcNow(), options.Value);
        if (intake == null) return Problems.Invalid(errors);
        if (!AccessPolicy.CanRegister(me, intake.DistrictId))
            return Problems.Forbidden("不能为其他区县登记线索");
        if (await employers.CheckConfirmedAsync(intake.EmployerId, intake.EmployerCreditCode) is { Count: > 0 } employerErrors)
            return Problems.Invalid(employerErrors);

        var requestHash = SHA256.HashData(Encoding.UTF8.GetBytes(raw));
        var result = await workflow.RegisterAsync(intake, me, key.Length > 0 ? key : null, requestHash);
        if (result.Outcome == IntakeOutcome.KeyReusedForAnotherRequest)
            return Problems.Unprocessable("该 Idempotency-Key 已用于另一份不同的登记请求");
        if (result.Outcome == IntakeOutcome.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
        // A new clue is answered from what was just written; a replay reads the first request's clue.
        var (clue, clocks) = result.Created ?? (await clues.FindWithClocksAsync(result.ClueId))!.Value;
        // Registered all the same (a repeat may carry new facts); the caller sees what it may repeat and can merge it.
        var likely = await duplicates.FindAsync(intake, me, exceptId: clue.Id);
        return TypedResults.Created($"/api/clues/{clue.Id}", responses.ToResponse(clue, clocks, me) with { LikelyDuplicates = likely });
    }

    private static async Task<IResult> DuplicatesAsync(HttpContext http, CurrentUser me, DistrictRepository districts, DuplicateFinder finder,
        TimeProvider time, IOptions<ClueOptions> options)
    {
        if (!AccessPolicy.MayRegisterAtAll(me)) return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不能登记线索");
        var (request, _, error) = await JsonBody.ReadAsync<IntakeRequest>(http);
        if (error != null) return error;
        var known = (await districts.ListAsync()).Select(d => d.Id).ToHashSet();
        var (intake, errors) = IntakeValidation.Validate(request!, known, time.GetUtcNow(), options.Value);
        if (intake == null) return Problems.Invalid(errors);
        return TypedResults.Ok(await finder.FindAsync(intake, me));
    }

    /// <summary>A search counts its matches up to this many; a broader one says "more than" and asks to narrow it.</summary>
    public const int SearchCountLimit = 1_000;

    private static async Task<IResult> ListAsync(HttpContext http, CurrentUser me, ClueRepository clues, ClueResponses responses,
        WorkflowRegistry workflows, TimeProvider time)
    {
        if (me.Role == Roles.Admin) return Problems.Forbidden("系统管理员不查看线索");
        var q = http.Request.Query;
        var errors = new Dictionary<string, string[]>();

        var state = q["state"].FirstOrDefault();
        if (state != null && !workflows.All.SelectMany(d => d.States).Any(s => s.Id == state)) errors["state"] = ["没有这个状态"];
        var district = q["district"].FirstOrDefault();
        var scope = AccessPolicy.Scope(me);
        if (district != null && scope.Districts is { } readable && !readable.Contains(district)) errors["district"] = ["无权查看该区县的线索"];

        long? assigneeId = null;
        var unassigned = false;
        switch (q["assignee"].FirstOrDefault())
        {
            case null: break;
            case "me": assigneeId = me.Id; break;
            case "none": unassigned = true; break;
            case var s when long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var a): assigneeId = a; break;
            default: errors["assignee"] = ["须为用户编号、me 或 none"]; break;
        }

        var overdue = false;
        if (q["overdue"].FirstOrDefault() is { } o && !bool.TryParse(o, out overdue)) errors["overdue"] = ["须为 true 或 false"];

        DateTimeOffset? dueBefore = null;
        if (q["dueBefore"].FirstOrDefault() is { } d)
        {
            if (Timestamps.TryParseWithOffset(d, out var parsed)) dueBefore = parsed;
            else errors["dueBefore"] = [Timestamps.FormatHint];
        }

        var channel = q["channel"].FirstOrDefault();
        if (channel != null && !Channels.Names.ContainsKey(channel)) errors["channel"] = ["没有这个线索来源"];
        var (search, searchError) = SearchTerm.Parse(q["q"].FirstOrDefault());
        if (searchError != null) errors["q"] = [searchError];

        var sort = q["sort"].FirstOrDefault() ?? "received";
        if (sort is not ("received" or "due")) errors["sort"] = ["须为 received 或 due"];
        var page = ParsePositive(q["page"].FirstOrDefault(), "page", 1, int.MaxValue / MaxPageSize, errors);
        var pageSize = ParsePositive(q["pageSize"].FirstOrDefault(), "pageSize", 20, MaxPageSize, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var now = time.GetUtcNow();
        var countLimit = search != null ? SearchCountLimit : (int?)null;
        var (rows, total) = await clues.ListAsync(
            new ClueFilter(scope, state, district, assigneeId, unassigned, overdue, dueBefore, sort == "due", page, pageSize,
                Search: search, Channel: channel, CountLimit: countLimit), now);
        var clocks = (await clues.ClocksAsync(rows.Select(r => r.Id).ToList())).ToLookup(k => k.InstanceId);
        var capped = total > countLimit;
        return TypedResults.Ok(new CluePage(rows.Select(r => responses.ToResponse(r, clocks[r.Id], me)).ToList(), page, pageSize,
            capped ? countLimit!.Value : total, capped));
    }

    private static async Task<IResult> GetAsync(long id, CurrentUser me, ClueRepository clues, ClueResponses responses)
    {
        var found = await FindReadableWithClocksAsync(id, me, clues);
        if (found == null) return NotFound(me);
        return TypedResults.Ok(responses.ToResponse(found.Value.Clue, found.Value.Clocks, me));
    }

    private static async Task<IResult> HistoryAsync(long id, CurrentUser me, ClueRepository clues, ClueResponses responses)
    {
        var clue = await FindReadableAsync(id, me, clues);
        if (clue == null) return NotFound(me);
        return TypedResults.Ok((await clues.HistoryAsync(id)).Select(h => responses.ToResponse(clue, h)).ToList());
    }

    private static async Task<IResult> ComplainantAsync(long id, HttpContext http, CurrentUser me, ClueRepository clues, Audit.AuditLog audit, TimeProvider time)
    {
        var clue = await FindReadableAsync(id, me, clues);
        if (clue == null) return NotFound(me);
        if (!AccessPolicy.CanViewPersonalData(me, clue.DistrictId))
            return Problems.Forbidden("只有本区县的经办人和负责人可以查看反映人完整信息");
        await audit.LogPersonalDataViewAsync(id, me.Id, "view", time.GetUtcNow());
        http.Response.Headers.CacheControl = "no-store"; // no copy in a browser or proxy cache
        return TypedResults.Ok(new ComplainantFull(clue.ComplainantName, clue.ComplainantPhone, clue.ComplainantIdNumber));
    }

    private static async Task<IResult> FireActionAsync(long id, string action, HttpContext http, CurrentUser me,
        ClueWorkflow workflow, ClueRepository clues, ClueResponses responses)
    {
        var (doc, error) = await JsonBody.ReadObjectAsync(http.Request, allowEmpty: true);
        if (error != null) return error;
        using var _ = doc;
        var found = await FindReadableWithClocksAsync(id, me, clues);
        if (found == null) return NotFound(me);
        var (clue, clocks) = found.Value;

        var (fields, invalid) = ActionHttp.Fields(doc!, clue.Version, "线索");
        if (invalid != null) return invalid;

        return await workflow.FireAsync(clue, action, me, fields!, clocks) switch
        {
            ActionOutcome.Done done => TypedResults.Ok(responses.ToResponse(done.Clue, done.Clocks, me)),
            ActionOutcome.NotPermitted no => Problems.Forbidden(no.Message),
            ActionOutcome.BadReferences bad => Problems.Invalid(bad.Errors),
            ActionOutcome.VersionMovedOn => Problems.Conflict("线索已被他人同时更新，请刷新后重试"),
            ActionOutcome.Refusal { Reason: var refused } => ActionHttp.Problem(refused),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}"),
        };
    }

    /// <summary>A clue the caller may not read answers exactly like one that does not exist: its existence is not revealed.</summary>
    internal static async Task<ClueRow?> FindReadableAsync(long id, CurrentUser me, ClueRepository clues)
    {
        var clue = await clues.FindAsync(id);
        return clue != null && AccessPolicy.CanRead(me, clue.DistrictId, clue.CreatedBy) ? clue : null;
    }

    /// <summary>The same, with the clue's clocks in the same round trip.</summary>
    internal static async Task<(ClueRow Clue, IReadOnlyList<ClockRow> Clocks)?> FindReadableWithClocksAsync(long id, CurrentUser me, ClueRepository clues) =>
        await clues.FindWithClocksAsync(id) is { } found && AccessPolicy.CanRead(me, found.Clue.DistrictId, found.Clue.CreatedBy) ? found : null;

    internal static IResult NotFound(CurrentUser me) =>
        me.Role == Roles.Admin ? Problems.Forbidden("系统管理员不查看线索") : Problems.NotFound("没有这条线索");

    /// <summary>An optional id in the query (employerId=…): a positive integer or a field error.</summary>
    internal static long? ParseId(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value == null) return null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        errors[field] = ["须为正整数"];
        return null;
    }

    internal static int ParsePositive(string? value, string field, int fallback, int max, Dictionary<string, string[]> errors)
    {
        if (value == null) return fallback;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max) return n;
        errors[field] = [$"须为 1 到 {max} 之间的整数"];
        return fallback;
    }

    [GeneratedRegex("^[\\x21-\\x7E]{1,200}$")]
    private static partial Regex IdempotencyKeyPattern();
}
