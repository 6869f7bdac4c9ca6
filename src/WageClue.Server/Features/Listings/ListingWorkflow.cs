using WageClue.Workflows.Validation;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Instances;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Listings;

public sealed class ListingOptions
{
    /// <summary>The definition new listing cases start with (its highest version).</summary>
    public string DefinitionId { get; set; } = "employer-listing";

    /// <summary>
    /// 第五条: the arrears must reach the amount of 拒不支付劳动报酬罪 (or a group or extreme incident happened). The
    /// amount is the province's; set it here. Yuan.
    /// </summary>
    public decimal AmountThreshold { get; set; } = 30_000m;
}

public abstract record ListingStart
{
    public sealed record Created(long Id) : ListingStart;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : ListingStart;
    public sealed record Forbidden(string Message) : ListingStart;
    public sealed record InProgress(string CaseNumber) : ListingStart;
}

public abstract record ListingOutcome
{
    public sealed record Done(ListingRow Listing, IReadOnlyList<ClockRow> Clocks) : ListingOutcome;
    public sealed record Refusal(Refused Reason) : ListingOutcome;
    public sealed record BadReferences(Dictionary<string, string[]> Errors) : ListingOutcome;
    public sealed record VersionMovedOn : ListingOutcome;
    public sealed record NotPermitted(string Message) : ListingOutcome;
}

/// <summary>
/// Starts listing cases and fires their actions through the workflow core (<see cref="InstanceActions"/>), exactly
/// as clues do; adds what the engine cannot see: who may hold the case, and 第十三条's bars to early removal.
/// Also the subject the sweep fires periods on (the objection window closes, the term ends).
/// </summary>
public sealed class ListingWorkflow(NpgsqlDataSource db, WorkflowRegistry workflows, CalendarStore calendars, ListingRepository listings,
    UserRepository users, ClueRepository clues, Employers.EmployerRepository employers, Districts.DistrictRepository districts, TimeProvider time,
    IOptions<ListingOptions> options, IOptions<ClueOptions> clueOptions) : IWorkflowSubject
{
    public string Name => ListingSubject.Name;

    public WorkflowEngine CurrentEngine => workflows.Latest(options.Value.DefinitionId);

    public WorkflowEngine EngineFor(ListingRow l) => EngineFor(l.DefinitionId, l.DefinitionVersion);

    public WorkflowEngine EngineFor(string definitionId, int version) => workflows.Pinned(definitionId, version);

    public ListingOptions Options => options.Value;

    /// <summary>
    /// 第五条's conditions, checked before a case starts: the 责令限期支付 deadline has passed, and the amount reaches the
    /// threshold (ListingOptions.AmountThreshold) or a group incident happened. From a clue, its employer, district,
    /// amount and workers are the defaults.
    /// </summary>
    public async Task<ListingStart> StartAsync(StartListingRequest r, CurrentUser by)
    {
        var errors = new Dictionary<string, string[]>();
        ClueRow? clue = null;
        if (r.ClueId is { } clueId && (clue = await ClueEndpoints.FindReadableAsync(clueId, by, clues)) == null) errors["clueId"] = ["没有这条线索"];
        var employerId = r.EmployerId ?? clue?.EmployerId;
        var employer = employerId is { } eid ? await employers.FindAsync(eid) : null;
        if (employer == null && !errors.ContainsKey("clueId")) errors["employerId"] = [employerId == null ? "请指定线索或用人单位" : "没有这个用人单位"];
        if (clue != null && r.EmployerId != null && r.EmployerId != clue.EmployerId) errors["employerId"] = ["与线索的用人单位不一致"];
        // From an employer: the district it was first seen in if the supervisor works there, else the supervisor's own.
        var districtId = r.DistrictId ?? clue?.DistrictId
            ?? (employer is { } known && by.IsIn(known.DistrictId) ? known.DistrictId : by.Districts.FirstOrDefault() ?? employer?.DistrictId);
        if (r.DistrictId != null && (await districts.ListAsync()).All(d => d.Id != r.DistrictId)) errors["districtId"] = ["没有这个区县"];

        var orderNumber = r.OrderNumber?.Trim();
        if (string.IsNullOrEmpty(orderNumber)) errors["orderNumber"] = ["请填写责令限期支付文书文号"];
        else if (TextRules.Check(orderNumber, "文号", 60).Problem is { } problem) errors["orderNumber"] = [problem];
        var today = DateOnly.FromDateTime(CurrentEngine.ToLocal(time.GetUtcNow()).DateTime);
        var deadline = default(DateOnly);
        if (string.IsNullOrWhiteSpace(r.OrderDeadline)) errors["orderDeadline"] = ["请填写责令限期支付的期限"];
        else if (!DateOnly.TryParseExact(r.OrderDeadline.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out deadline))
            errors["orderDeadline"] = ["期限须为日期（如 2026-09-25）"];
        else if (deadline >= today) errors["orderDeadline"] = ["责令限期支付的期限尚未届满，不能启动列入程序（第五条）"];
        else if (deadline < today.AddYears(-2)) errors["orderDeadline"] = ["期限不能早于两年前"];
        var amount = r.Amount ?? clue?.AmountOwed;
        if (amount == null) errors["amount"] = ["请填写拖欠金额"];
        else if (amount < 0 || decimal.Round(amount.Value, 2) != amount || amount > 999_999_999_999.99m) errors["amount"] = ["金额须为非负数，最多两位小数"];
        var workers = r.WorkerCount ?? clue?.WorkerCount;
        if (workers == null) errors["workerCount"] = ["请填写涉及人数"];
        else if (workers is < 0 or > 100_000) errors["workerCount"] = ["涉及人数超出范围"];
        var group = r.GroupIncident ?? false;
        if (amount is { } a && !errors.ContainsKey("amount") && a < Options.AmountThreshold && !group)
            errors["amount"] = [$"拖欠金额未达到列入标准（{Options.AmountThreshold.ToString("N0", CultureInfo.InvariantCulture)} 元）且未引发群体性事件，不符合列入条件（第五条）"];
        if (errors.Count > 0) return new ListingStart.Invalid(errors);
        if (!AccessPolicy.CanStartListing(by, districtId!)) return new ListingStart.Forbidden("只有本区县的负责人可以启动失信联合惩戒名单程序");

        await using var conn = await db.OpenConnectionAsync();
        var calendar = await calendars.GetAsync(conn, null);
        var (id, created) = await listings.InsertAsync(new NewListing(employer!.Id, clue?.Id, districtId!, orderNumber!, deadline, amount!.Value, workers!.Value, group),
            CurrentEngine, calendar, by.Id, time.GetUtcNow());
        return created ? new ListingStart.Created(id) : new ListingStart.InProgress((await listings.FindWithClocksAsync(id))?.Listing.CaseNumber ?? "");
    }

    public IReadOnlyList<string> AllowedActions(ListingRow l, IEnumerable<ClockRow> clocks, CurrentUser caller) =>
        AccessPolicy.AllowedActions(caller, EngineFor(l), l.Snapshot(clocks), time.GetUtcNow());

    public async Task<ListingOutcome> FireAsync(ListingRow listing, string action, CurrentUser actor, IReadOnlyDictionary<string, JsonElement> fields,
        IReadOnlyList<ClockRow> clocks)
    {
        var engine = EngineFor(listing);
        if (engine.Definition.FindAction(action) is { } known && known.Roles.Contains(actor.Role) && !AccessPolicy.CanActIn(actor, listing.DistrictId))
            return new ListingOutcome.NotPermitted($"{Roles.ChineseName(actor.Role)}只能办理本人所属区县的名单案件");
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockSharedAsync(conn, tx);
        var calendar = await calendars.GetAsync(conn, tx);
        if (action == "approve-removal" && await RemovalBarAsync(conn, tx, listing, clocks) is { } bar)
            return new ListingOutcome.Refusal(new Refused(RefusalKind.NotAllowedInState, bar));
        var fired = await InstanceActions.DecideAndWriteAsync(conn, tx, engine, listing.Instance, listing.Snapshot(clocks), action,
            new Actor(actor.Id, actor.Role), fields, now, calendar, allowed => CheckUsersAsync(engine, listing, action, allowed, actor));
        switch (fired)
        {
            case Fired.Written(var allowed, var after):
                await ListingRepository.UpdateAttributesAsync(conn, tx, listing.Id, action, allowed.Updates, now);
                var updated = await ListingRepository.FindAsync(conn, tx, listing.Id);
                await tx.CommitAsync();
                return new ListingOutcome.Done(updated!, after);
            case Fired.Refusal r: return new ListingOutcome.Refusal(r.Reason);
            case Fired.BadReferences b: return new ListingOutcome.BadReferences(b.Errors);
            default: return new ListingOutcome.VersionMovedOn();
        }
    }

    public async Task<Fired> FireAsSystemAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long instanceId, string action, DateTimeOffset now,
        WorkingCalendar calendar)
    {
        var listing = await ListingRepository.FindAsync(conn, tx, instanceId)
            ?? throw new InvalidOperationException($"Listing case {instanceId} has a clock but no facts.");
        var clocks = await ClockStore.ForInstancesAsync(conn, [instanceId], tx);
        var fired = await InstanceActions.DecideAndWriteAsync(conn, tx, EngineFor(listing), listing.Instance, listing.Snapshot(clocks), action,
            InstanceActions.SystemActor, new Dictionary<string, JsonElement>(), now, calendar, _ => Task.FromResult(new Dictionary<string, string[]>()));
        if (fired is Fired.Written w) await ListingRepository.UpdateAttributesAsync(conn, tx, instanceId, action, w.Decision.Updates, now);
        return fired;
    }

    public async Task<IReadOnlyDictionary<long, SubjectFacts>> FactsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyCollection<long> ids) =>
        (await conn.QueryAsync<(long Id, string CaseNumber, string EmployerName)>("""
            SELECT l.id, l.case_number, e.name FROM wageclue.listings l JOIN wageclue.employers e ON e.id = l.employer_id WHERE l.id = ANY(@ids)
            """, new { ids = ids.ToArray() }, tx))
        .ToDictionary(r => r.Id, r => new SubjectFacts(r.CaseNumber, r.EmployerName, Path: $"/listings/{r.Id}", Noun: ListingSubject.Noun));

    private async Task<Dictionary<string, string[]>> CheckUsersAsync(WorkflowEngine engine, ListingRow listing, string action, Allowed allowed, CurrentUser actor)
    {
        var errors = new Dictionary<string, string[]>();
        await InstanceActions.CheckUsersAsync(engine.Definition.FindAction(action)!, allowed, listing.Instance, listing.DistrictName, "名单案件", actor, users, errors);
        return errors;
    }

    /// <summary>第十三条's bars to early removal, read from the records; null when none holds.</summary>
    private async Task<string?> RemovalBarAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ListingRow listing, IReadOnlyList<ClockRow> clocks)
    {
        // Counted from the latest start of the term: the decision, or the restoration after false material.
        var since = clocks.Where(k => k.Clock == "term").MaxBy(k => k.Round)?.StartedAt ?? listing.DecidedAt ?? listing.CreatedAt;
        var clueFinals = workflows.All.Where(d => d.Id == clueOptions.Value.DefinitionId).SelectMany(d => d.States).Where(s => s.Final).Select(s => s.Id).Distinct().ToList();
        var (open, police) = await ListingRepository.RemovalBarsAsync(conn, tx, listing.EmployerId, since, clueFinals);
        if (open > 0) return $"该单位列入名单后又有 {open} 条欠薪线索尚未办结，不得提前移出（第十三条）";
        if (police > 0) return "该单位列入名单后有线索移送公安机关，刑事程序未结前不得提前移出（第十三条）";
        return null;
    }
}
