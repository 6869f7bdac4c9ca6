using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Privacy;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Clues;

public sealed record ClueRow
{
    public long Id { get; init; }
    public string TrackingCode { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public long CalendarVersion { get; init; }
    public string Channel { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public string ComplainantName { get; init; } = "";
    /// <summary>Opened by ClueRepository from the sealed column (Privacy/PersonalData); not a column itself.</summary>
    public string ComplainantPhone { get; init; } = "";
    /// <summary>Opened like <see cref="ComplainantPhone"/>.</summary>
    public string? ComplainantIdNumber { get; init; }
    public byte[] ComplainantPhoneSealed { get; init; } = [];
    public byte[]? ComplainantIdNumberSealed { get; init; }
    public long EmployerId { get; init; }
    public string EmployerName { get; init; } = "";
    public string? EmployerCreditCode { get; init; }
    public string? Industry { get; init; }
    public int WorkerCount { get; init; }
    public decimal AmountOwed { get; init; }
    public string Description { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    public DateOnly ReceiptDay { get; init; }
    public string State { get; init; } = "";
    public int Version { get; init; }
    public long? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public string? Route { get; init; }
    public string? RejectionReason { get; init; }
    public long? MergedInto { get; init; }
    public string? Outcome { get; init; }
    public decimal? AmountRecovered { get; init; }
    public int? WorkersPaid { get; init; }
    public string? OutcomeType { get; init; }
    public string? CaseNumber { get; init; }
    public string? SuspendReason { get; init; }
    public string? TransferReceiver { get; init; }
    public string? TransferReceiverName { get; init; }
    public string? Satisfaction { get; init; }
    public string? PreviousState { get; init; }
    public long? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>A record prints every member by default: a logged clue must never show the complainant's data.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Id = ").Append(Id).Append(", TrackingCode = ").Append(TrackingCode);
        return true;
    }

    public InstanceRow Instance => new()
    {
        Id = Id, Subject = ClueSubject.Name, DefinitionId = DefinitionId, DefinitionVersion = DefinitionVersion, CalendarVersion = CalendarVersion,
        State = State, PreviousState = PreviousState, Version = Version, DistrictId = DistrictId, AssigneeId = AssigneeId, CreatedBy = CreatedBy,
    };

    /// <summary>What the engine reads: the instance, its clocks, and the attributes the definition's guards name.</summary>
    public InstanceSnapshot Snapshot(IEnumerable<ClockRow> clocks) => new(State, PreviousState, Version, DistrictId, AssigneeId,
        clocks.Select(k => k.ToSnapshot()).ToList(),
        new Dictionary<string, string?> { ["route"] = Route, ["satisfaction"] = Satisfaction });
}

/// <param name="Search">What the search box asked for (SearchTerm); null lists every clue the other filters let through.</param>
/// <param name="CountLimit">Count at most this many (a search's "1000+"), so a broad term never counts a million rows.</param>
public sealed record ClueFilter(
    ReadScope Scope, string? State, string? District, long? AssigneeId, bool Unassigned,
    bool Overdue, DateTimeOffset? DueBefore, bool SortByDue, int Page, int PageSize, IReadOnlyList<string>? ExcludeStates = null,
    SearchTerm? Search = null, string? Channel = null, int? CountLimit = null);

public enum IntakeOutcome { Created, Replayed, KeyReusedForAnotherRequest }

/// <param name="Created">The stored clue and clocks when this request created them, so the response needs no read.</param>
public sealed record IntakeResult(IntakeOutcome Outcome, long ClueId, (ClueRow Clue, IReadOnlyList<ClockRow> Clocks)? Created = null);

/// <summary>The clue as a subject of the workflow core.</summary>
public static class ClueSubject
{
    public const string Name = "clue";
}

public sealed class ClueRepository(NpgsqlDataSource db, PersonalData pii)
{
    // The clue's facts with its instance's workflow columns (ClueRow's names).
    internal const string SelectClue = """
        SELECT c.*, i.definition_id, i.definition_version, i.calendar_version, i.state, i.previous_state, i.version, i.district_id,
               i.assignee_id, i.created_by, i.created_at, i.updated_at, d.name AS district_name, u.display_name AS assignee_name
        FROM wageclue.clues c
        JOIN wageclue.workflow_instances i ON i.id = c.id
        JOIN wageclue.districts d ON d.id = i.district_id
        LEFT JOIN wageclue.users u ON u.id = i.assignee_id
        """;

    /// <summary>The row as read, with the complainant's phone and ID number opened; every read of a clue goes through here.</summary>
    public static ClueRow Opened(ClueRow row, PersonalData pii) =>
        row with { ComplainantPhone = pii.Open(row.ComplainantPhoneSealed), ComplainantIdNumber = pii.OpenOrNull(row.ComplainantIdNumberSealed) };

    private ClueRow? Opened(ClueRow? row) => row == null ? null : Opened(row, pii);

    public async Task<ClueRow?> FindAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return Opened(await conn.QuerySingleOrDefaultAsync<ClueRow>($"{SelectClue} WHERE c.id = @id", new { id }));
    }

    /// <summary>The clue and its clocks in one round trip (an action's or an intake's response).</summary>
    public async Task<(ClueRow Clue, IReadOnlyList<ClockRow> Clocks)?> FindWithClocksAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var both = await conn.QueryMultipleAsync($"""
            {SelectClue} WHERE c.id = @id;
            SELECT k.* FROM wageclue.workflow_clocks k WHERE k.instance_id = @id ORDER BY k.id;
            """, new { id });
        var clue = Opened(await both.ReadSingleOrDefaultAsync<ClueRow>());
        var clocks = (await both.ReadAsync<ClockRow>()).AsList();
        return clue == null ? null : (clue, clocks);
    }

    public async Task<ClueRow?> FindByTrackingCodeAsync(string trackingCode)
    {
        await using var conn = await db.OpenConnectionAsync();
        return Opened(await conn.QuerySingleOrDefaultAsync<ClueRow>($"{SelectClue} WHERE c.tracking_code = @trackingCode", new { trackingCode }));
    }

    public async Task<IReadOnlyList<ClockRow>> ClocksAsync(IReadOnlyCollection<long> clueIds)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await ClockStore.ForInstancesAsync(conn, clueIds);
    }

    public Task<IReadOnlyList<HistoryRecord>> HistoryAsync(long clueId) => HistoryStore.ReadAsync(db, clueId);

    /// <param name="now">The caller's clock (TimeProvider), so "overdue" here agrees with the clock statuses in the response.</param>
    public async Task<(IReadOnlyList<ClueRow> Items, long Total)> ListAsync(ClueFilter f, DateTimeOffset now)
    {
        var where = new List<string>();
        if (f.Scope.Districts != null) where.Add("i.district_id = ANY(@Districts)");
        if (f.Scope.CreatedBy != null) where.Add("i.created_by = @CreatedBy");
        if (f.District != null) where.Add("i.district_id = @District");
        if (f.State != null) where.Add("i.state = @State");
        if (f.ExcludeStates != null) where.Add("i.state <> ALL(@ExcludeStates)");
        if (f.AssigneeId != null) where.Add("i.assignee_id = @AssigneeId");
        if (f.Unassigned) where.Add("i.assignee_id IS NULL");
        if (f.Channel != null) where.Add("c.channel = @Channel");
        long[] employerIds = [];
        await using var conn = await db.OpenConnectionAsync();
        if (f.Search is { Kind: SearchKind.NameOrEmployer } words) employerIds = await EmployersNamedAsync(conn, words);
        var fromHits = f.Search is { Kind: SearchKind.NameOrEmployer } && employerIds.Length <= MaxEmployersForHits && !f.SortByDue;
        if (f.Search != null && !fromHits) where.Add(SearchCondition(f.Search));
        if (f.Overdue) where.Add($"EXISTS (SELECT 1 FROM wageclue.workflow_clocks k WHERE k.instance_id = c.id AND {ClockStore.Running} AND k.due_at <= @now)");
        if (f.DueBefore != null) where.Add($"EXISTS (SELECT 1 FROM wageclue.workflow_clocks k WHERE k.instance_id = c.id AND {ClockStore.Running} AND k.due_at < @DueBefore)");
        var order = f.SortByDue
            ? $"(SELECT min(k.due_at) FROM wageclue.workflow_clocks k WHERE k.instance_id = c.id AND {ClockStore.Running}) ASC NULLS LAST, c.id"
            : "c.received_at DESC, c.id DESC";
        var sql = $"""
            {SelectClue}
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY {order}
            LIMIT @PageSize OFFSET @Offset
            """;
        var matching = $"FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}";
        var countSql = f.CountLimit is { } limit
            ? $"SELECT count(*) FROM (SELECT 1 {matching} LIMIT {limit + 1}) x"
            : $"SELECT count(*) {matching}";
        var args = new
        {
            Districts = f.Scope.Districts?.ToArray(), f.Scope.CreatedBy, f.District, f.State, ExcludeStates = f.ExcludeStates?.ToArray(), f.AssigneeId, f.DueBefore, now,
            f.PageSize, Offset = (f.Page - 1) * f.PageSize, f.Channel,
            Q = f.Search?.Value, EmployerIds = employerIds,
            // A term of four digits is the number's end (尾号); a longer one, the whole number.
            PhoneHash = f.Search is { Kind: SearchKind.Phone, IsPhoneTail: false } p ? pii.PhoneHash(p.Value) : null,
            PhoneTailHash = f.Search is { Kind: SearchKind.Phone, IsPhoneTail: true } t ? pii.PhoneTailHash(t.Value) : null,
        };
        if (fromHits) return await FromHitsAsync(conn, where, f, args);
        var items = (await conn.QueryAsync<ClueRow>(sql, args)).Select(r => Opened(r, pii)).ToList();
        var total = await conn.ExecuteScalarAsync<long>(countSql, args);
        return (items, total);
    }

    /// <summary>Up to this many employers named by a term, the search starts from their clues; more, and it walks the newest clues.</summary>
    public const int MaxEmployersForHits = 2_000;

    /// <summary>
    /// A name or part of an employer's name: start from the clues the term hits (the complainant's name and each named
    /// employer's clues, from clues_complainant_name_idx and clues_employer_idx), keep those of the caller's district
    /// and channel on those index entries alone (migration 0010 copies the district onto the clue for this), then sort.
    /// Measured at a million clues: an OR of both conditions let the planner walk the newest clues and test each (1.2 s
    /// when the newest clues belonged to other employers); checking each of 25 000 hits' instance row took 200-300 ms;
    /// on the index entries, 13 ms. Other filters on the instance (state, assignee) are checked on the instances of the
    /// hits that are left. One query gives the ordered ids (as many as the count goes), a second the page's rows.
    /// </summary>
    private async Task<(IReadOnlyList<ClueRow>, long)> FromHitsAsync(NpgsqlConnection conn, List<string> where, ClueFilter f, object args)
    {
        var limit = f.CountLimit ?? int.MaxValue;
        // The district conditions read the clue's copy; the instance's other columns stay on the instance.
        var onClue = where.Select(w => w.StartsWith("i.district_id", StringComparison.Ordinal) ? "c." + w[2..] : w)
            .Where(w => !w.StartsWith("i.", StringComparison.Ordinal)).ToList();
        var onInstance = where.Where(w => w.StartsWith("i.", StringComparison.Ordinal) && !w.StartsWith("i.district_id", StringComparison.Ordinal)).ToList();
        var clueFilter = string.Concat(onClue.Select(w => " AND " + w));
        var ids = (await conn.QueryAsync<long>($"""
            WITH hits AS MATERIALIZED (
                SELECT c.id, c.received_at FROM wageclue.clues c WHERE c.complainant_name = @Q {clueFilter}
                UNION
                SELECT c.id, c.received_at FROM wageclue.clues c WHERE c.employer_id = ANY(@EmployerIds) {clueFilter})
            SELECT c.id FROM hits c
            {(onInstance.Count == 0 ? "" : $"WHERE c.id IN (SELECT i.id FROM wageclue.workflow_instances i WHERE {string.Join(" AND ", onInstance)})")}
            ORDER BY c.received_at DESC, c.id DESC
            {(f.CountLimit != null ? $"LIMIT {limit + 1}" : "")}
            """, args)).AsList();
        var page = ids.Skip((f.Page - 1) * f.PageSize).Take(f.PageSize).ToArray();
        var items = page.Length == 0 ? [] : (await conn.QueryAsync<ClueRow>($"""
            {SelectClue}
            WHERE c.id = ANY(@page)
            ORDER BY c.received_at DESC, c.id DESC
            """, new { page })).Select(r => Opened(r, pii)).ToList();
        return (items, ids.Count);
    }

    /// <summary>
    /// Each kind of search term on its own index (migrations 0009, 0015): the code and the credit code by equality,
    /// the phone by the keyed hash of its last four digits or of the whole number, a complainant's name by equality, part of an employer's
    /// name through the employers' trigram index and then each employer's clues (clues_employer_idx).
    /// </summary>
    private static string SearchCondition(SearchTerm term) => term.Kind switch
    {
        SearchKind.TrackingCode => "c.tracking_code = @Q",
        SearchKind.CreditCode => "(c.employer_credit_code = @Q OR c.employer_id IN (SELECT e.id FROM wageclue.employers e WHERE e.credit_code = @Q))",
        SearchKind.Phone => term.IsPhoneTail ? "c.complainant_phone_tail_hash = @PhoneTailHash" : "c.complainant_phone_hash = @PhoneHash",
        _ => "(c.complainant_name = @Q OR c.employer_id = ANY(@EmployerIds))",
    };

    /// <summary>
    /// The employers whose name contains the term, read first (employers_name_trgm_idx), so that the clue query
    /// gets their ids as a value: the planner then sees how many there are and reads a few employers' clues from
    /// clues_employer_idx, or for a broad term walks the newest clues and keeps those of the employers.
    /// </summary>
    private static async Task<long[]> EmployersNamedAsync(NpgsqlConnection conn, SearchTerm term) =>
        (await conn.QueryAsync<long>("SELECT id FROM wageclue.employers WHERE name LIKE @Like", new { Like = term.LikeContains })).ToArray();

    /// <summary>
    /// One transaction: the instance, the clue's facts, the clocks that start on receipt, the first history entry and,
    /// with a key, the idempotency record. Two requests with the same key race on the key's primary key: the second
    /// waits for the first to commit, then finds the key taken, rolls its own clue back and answers with the first
    /// one. No check-then-insert.
    /// </summary>
    public static async Task<IntakeResult> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ValidIntake intake, PersonalData pii, WorkflowEngine engine,
        WorkingCalendar calendar, long userId, string? idempotencyKey, byte[] requestHash, DateTimeOffset now, string districtName = "")
    {
        // What PostgreSQL keeps (microseconds), so the row returned below equals the row a later read returns.
        now = now.AddTicks(-(now.Ticks % 10));
        var definition = engine.Definition;
        var (receiptDay, started) = engine.Register(intake.ReceivedAt, calendar);
        var trackingCode = TrackingCodes.New();
        var id = await InstanceStore.InsertAsync(conn, tx, new NewInstance(ClueSubject.Name, definition.Id, definition.Version, calendar.Version,
            definition.InitialState, intake.DistrictId, null, userId), now);
        var phone = pii.SealPhone(intake.ComplainantPhone);
        // The insert trigger links the employer (migration 0007) unless the caseworker confirmed one.
        var employerId = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO wageclue.clues (id, tracking_code, channel, complainant_name, complainant_phone_sealed, complainant_phone_hash,
                complainant_phone_tail_hash, complainant_id_number_sealed,
                employer_id, employer_name, employer_credit_code, industry, worker_count, amount_owed, description, received_at, receipt_day,
                source_system, source_reference, source_hash)
            VALUES (@id, @trackingCode, @Channel, @ComplainantName, @PhoneSealed, @PhoneHash, @PhoneTailHash, @IdNumberSealed,
                @EmployerId, @EmployerName, @EmployerCreditCode, @Industry, @WorkerCount, @AmountOwed, @Description, @ReceivedAt, @receiptDay,
                @SourceSystem, @SourceReference, @SourceHash)
            RETURNING employer_id
            """, new
            {
                id, trackingCode, intake.Channel, intake.EmployerId, intake.ComplainantName,
                PhoneSealed = phone.Sealed, PhoneHash = phone.Hash, PhoneTailHash = phone.TailHash, IdNumberSealed = pii.SealOrNull(intake.ComplainantIdNumber),
                intake.EmployerName, intake.EmployerCreditCode, intake.Industry, intake.WorkerCount, intake.AmountOwed,
                intake.Description, intake.ReceivedAt, receiptDay = receiptDay.Day,
                SourceSystem = intake.Source?.System, SourceReference = intake.Source?.Reference, SourceHash = intake.Source?.Hash,
            }, tx);
        var clocks = await ClockStore.ApplyAsync(conn, tx, id, intake.DistrictId, started, "receipt", now);
        await HistoryStore.AppendAsync(conn, tx, id, 1, userId, new Registered(intake.Channel, engine.ToLocal(intake.ReceivedAt), receiptDay.Day,
            calendar.Version, new DefinitionRef(definition.Id, definition.Version),
            started.Select(c => new PlannedDue(c.Clock, engine.ToLocal(c.DueAt), c.Provisional)).ToList()), now, toState: definition.InitialState);

        if (idempotencyKey != null)
        {
            var stored = await conn.ExecuteScalarAsync<bool>("""
                INSERT INTO wageclue.idempotency_keys (user_id, key, request_hash, clue_id, created_at)
                VALUES (@userId, @idempotencyKey, @requestHash, @id, @now)
                ON CONFLICT (user_id, key) DO NOTHING
                RETURNING true
                """, new { userId, idempotencyKey, requestHash, id, now }, tx);
            if (!stored)
            {
                await tx.RollbackAsync();
                var first = await conn.QuerySingleAsync<(long ClueId, byte[] RequestHash)>(
                    "SELECT clue_id, request_hash FROM wageclue.idempotency_keys WHERE user_id = @userId AND key = @idempotencyKey",
                    new { userId, idempotencyKey });
                return CryptographicOperations.FixedTimeEquals(first.RequestHash, requestHash)
                    ? new IntakeResult(IntakeOutcome.Replayed, first.ClueId)
                    : new IntakeResult(IntakeOutcome.KeyReusedForAnotherRequest, first.ClueId);
            }
        }
        await tx.CommitAsync();
        var clue = new ClueRow
        {
            Id = id, TrackingCode = trackingCode, DefinitionId = definition.Id, DefinitionVersion = definition.Version,
            CalendarVersion = calendar.Version, Channel = intake.Channel, DistrictId = intake.DistrictId, DistrictName = districtName,
            ComplainantName = intake.ComplainantName, ComplainantPhone = intake.ComplainantPhone, ComplainantIdNumber = intake.ComplainantIdNumber,
            EmployerId = employerId, EmployerName = intake.EmployerName, EmployerCreditCode = intake.EmployerCreditCode, Industry = intake.Industry,
            WorkerCount = intake.WorkerCount, AmountOwed = intake.AmountOwed, Description = intake.Description,
            ReceivedAt = intake.ReceivedAt.AddTicks(-(intake.ReceivedAt.Ticks % 10)), ReceiptDay = receiptDay.Day, State = definition.InitialState,
            Version = 1, CreatedBy = userId, CreatedAt = now, UpdatedAt = now,
        };
        return new IntakeResult(IntakeOutcome.Created, id, (clue, clocks));
    }

    /// <summary>The clue attributes an action sets (its fields' "updates" and its "sets"), inside the action's transaction.</summary>
    /// <returns>The clue's facts as updated (its instance's columns left empty), or null when the action sets none.</returns>
    public static async Task<ClueRow?> UpdateAttributesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, IReadOnlyDictionary<string, object?> updates)
    {
        var sets = new List<string>();
        var args = new DynamicParameters(new { id });
        foreach (var (attribute, value) in updates)
        {
            if (attribute == Attributes.Assignee) continue; // the instance's, written by the compare-and-set
            var column = UpdatableColumns.TryGetValue(attribute, out var c) ? c
                : throw new InvalidOperationException($"The definition updates '{attribute}', which clues do not have: the schema should have refused it.");
            sets.Add($"{column} = @{column}");
            args.Add(column, value is long l && column == "workers_paid" ? checked((int)l) : value);
        }
        return sets.Count == 0 ? null
            : await conn.QuerySingleAsync<ClueRow>($"UPDATE wageclue.clues SET {string.Join(", ", sets)} WHERE id = @id RETURNING *", args, tx);
    }

    // The clue attributes a definition field may update ("updates" in the definition), and their columns.
    private static readonly Dictionary<string, string> UpdatableColumns = new()
    {
        ["outcomeType"] = "outcome_type",
        ["caseNumber"] = "case_number",
        ["suspendReason"] = "suspend_reason",
        ["transferReceiver"] = "transfer_receiver",
        ["transferReceiverName"] = "transfer_receiver_name",
        ["satisfaction"] = "satisfaction",
        ["rejectionReason"] = "rejection_reason",
        ["mergedInto"] = "merged_into",
        ["route"] = "route",
        ["outcome"] = "outcome",
        ["amountRecovered"] = "amount_recovered",
        ["workersPaid"] = "workers_paid",
    };
}

public static class TrackingCodes
{
    // No 0/O, 1/I: read out over the phone and typed from an SMS without mistakes. 32^10 ≈ 10^15 codes.
    private const string Alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    public static string New() => "ZB" + RandomNumberGenerator.GetString(Alphabet, 10);
}
