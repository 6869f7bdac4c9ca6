using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;
using WageClue.Server.Features.Calendar;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Clues;

public sealed class ClueRow
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
    public string ComplainantPhone { get; init; } = "";
    public string? ComplainantIdNumber { get; init; }
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
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed class ClockRow
{
    public long ClueId { get; init; }
    public string Clock { get; init; } = "";
    public DateTimeOffset DueAt { get; init; }
    public bool Provisional { get; init; }
    public DateTimeOffset? MetAt { get; init; }
    public string? MetBy { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    public int EscalationLevel { get; init; }
    public DateTimeOffset? OverdueAt { get; init; }
}

public sealed class HistoryRow
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public long? ActorId { get; init; }
    public string? ActorName { get; init; }
    public string Kind { get; init; } = "";
    public string? Action { get; init; }
    public string? FromState { get; init; }
    public string? ToState { get; init; }
    public int ClueVersion { get; init; }
    public string Data { get; init; } = "{}";
}

public sealed record ClueFilter(
    IReadOnlyList<string>? Districts, string? State, string? District, long? AssigneeId, bool Unassigned,
    bool Overdue, DateTimeOffset? DueBefore, bool SortByDue, int Page, int PageSize, IReadOnlyList<string>? ExcludeStates = null);

public enum IntakeOutcome { Created, Replayed, KeyReusedForAnotherRequest }

/// <param name="Created">The stored clue and clocks when this request created them, so the response needs no read.</param>
public sealed record IntakeResult(IntakeOutcome Outcome, long ClueId, (ClueRow Clue, IReadOnlyList<ClockRow> Clocks)? Created = null);

public sealed class ClueRepository(NpgsqlDataSource db)
{
    private const string SelectClue = """
        SELECT c.*, d.name AS district_name, u.display_name AS assignee_name
        FROM wageclue.clues c
        JOIN wageclue.districts d ON d.id = c.district_id
        LEFT JOIN wageclue.users u ON u.id = c.assignee_id
        """;

    public async Task<ClueRow?> FindAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<ClueRow>($"{SelectClue} WHERE c.id = @id", new { id });
    }

    /// <summary>The clue and its clocks in one round trip (an action's or an intake's response).</summary>
    public async Task<(ClueRow Clue, IReadOnlyList<ClockRow> Clocks)?> FindWithClocksAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var both = await conn.QueryMultipleAsync($"""
            {SelectClue} WHERE c.id = @id;
            SELECT * FROM wageclue.clue_clocks WHERE clue_id = @id;
            """, new { id });
        var clue = await both.ReadSingleOrDefaultAsync<ClueRow>();
        var clocks = (await both.ReadAsync<ClockRow>()).AsList();
        return clue == null ? null : (clue, clocks);
    }

    public async Task<ClueRow?> FindByTrackingCodeAsync(string trackingCode)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<ClueRow>($"{SelectClue} WHERE c.tracking_code = @trackingCode", new { trackingCode });
    }

    public async Task<IReadOnlyList<ClockRow>> ClocksAsync(IReadOnlyCollection<long> clueIds)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<ClockRow>("SELECT * FROM wageclue.clue_clocks WHERE clue_id = ANY(@ids)", new { ids = clueIds.ToArray() })).AsList();
    }

    public async Task<IReadOnlyList<HistoryRow>> HistoryAsync(long clueId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<HistoryRow>("""
            SELECT h.id, h.at, h.actor_id, u.display_name AS actor_name, h.kind, h.action, h.from_state, h.to_state, h.clue_version, h.data::text AS data
            FROM wageclue.clue_history h LEFT JOIN wageclue.users u ON u.id = h.actor_id
            WHERE h.clue_id = @clueId ORDER BY h.id
            """, new { clueId })).AsList();
    }

    /// <param name="now">The caller's clock (TimeProvider), so "overdue" here agrees with the clock statuses in the response.</param>
    public async Task<(IReadOnlyList<ClueRow> Items, long Total)> ListAsync(ClueFilter f, DateTimeOffset now)
    {
        var where = new List<string>();
        if (f.Districts != null) where.Add("c.district_id = ANY(@Districts)");
        if (f.District != null) where.Add("c.district_id = @District");
        if (f.State != null) where.Add("c.state = @State");
        if (f.ExcludeStates != null) where.Add("c.state <> ALL(@ExcludeStates)");
        if (f.AssigneeId != null) where.Add("c.assignee_id = @AssigneeId");
        if (f.Unassigned) where.Add("c.assignee_id IS NULL");
        if (f.Overdue) where.Add("EXISTS (SELECT 1 FROM wageclue.clue_clocks k WHERE k.clue_id = c.id AND k.met_at IS NULL AND k.cancelled_at IS NULL AND k.due_at <= @now)");
        if (f.DueBefore != null) where.Add("EXISTS (SELECT 1 FROM wageclue.clue_clocks k WHERE k.clue_id = c.id AND k.met_at IS NULL AND k.cancelled_at IS NULL AND k.due_at < @DueBefore)");
        var order = f.SortByDue
            ? "(SELECT min(k.due_at) FROM wageclue.clue_clocks k WHERE k.clue_id = c.id AND k.met_at IS NULL AND k.cancelled_at IS NULL) ASC NULLS LAST, c.id"
            : "c.received_at DESC, c.id DESC";
        var sql = $"""
            {SelectClue}
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY {order}
            LIMIT @PageSize OFFSET @Offset
            """;
        var countSql = $"SELECT count(*) FROM wageclue.clues c {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}";
        var args = new
        {
            Districts = f.Districts?.ToArray(), f.District, f.State, ExcludeStates = f.ExcludeStates?.ToArray(), f.AssigneeId, f.DueBefore, now,
            f.PageSize, Offset = (f.Page - 1) * f.PageSize,
        };
        await using var conn = await db.OpenConnectionAsync();
        var items = (await conn.QueryAsync<ClueRow>(sql, args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>(countSql, args);
        return (items, total);
    }

    /// <summary>
    /// One transaction: the clue, its first history entry, one row per clock and, with a key, the idempotency record.
    /// Two requests with the same key race on the key's primary key: the second waits for the first to commit, then
    /// finds the key taken, rolls its own clue back and answers with the first one. No check-then-insert.
    /// </summary>
    public static async Task<IntakeResult> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, ValidIntake intake,
        string definitionId, int definitionVersion, string initialState, long calendarVersion, ClockPlan plan,
        long userId, string? idempotencyKey, byte[] requestHash, DateTimeOffset now, string districtName = "")
    {
        // What PostgreSQL keeps (microseconds), so the row returned below equals the row a later read returns.
        now = now.AddTicks(-(now.Ticks % 10));
        var trackingCode = TrackingCodes.New();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO wageclue.clues (tracking_code, definition_id, definition_version, calendar_version, channel, district_id,
                complainant_name, complainant_phone, complainant_id_number, employer_name, employer_credit_code, industry,
                worker_count, amount_owed, description, received_at, receipt_day, state, created_at, created_by, updated_at)
            VALUES (@trackingCode, @definitionId, @definitionVersion, @calendarVersion, @Channel, @DistrictId,
                @ComplainantName, @ComplainantPhone, @ComplainantIdNumber, @EmployerName, @EmployerCreditCode, @Industry,
                @WorkerCount, @AmountOwed, @Description, @ReceivedAt, @receiptDay, @initialState, @now, @userId, @now)
            RETURNING id
            """, new
            {
                trackingCode, definitionId, definitionVersion, calendarVersion,
                intake.Channel, intake.DistrictId, intake.ComplainantName, intake.ComplainantPhone, intake.ComplainantIdNumber,
                intake.EmployerName, intake.EmployerCreditCode, intake.Industry, intake.WorkerCount, intake.AmountOwed,
                intake.Description, intake.ReceivedAt, receiptDay = plan.ReceiptDay.Day, initialState, now, userId,
            }, tx);

        await conn.ExecuteAsync("""
            INSERT INTO wageclue.clue_history (clue_id, at, actor_id, kind, to_state, clue_version, data)
            VALUES (@id, @now, @userId, 'registered', @initialState, 1, @data::jsonb)
            """, new
            {
                id, now, userId, initialState,
                data = JsonSerializer.Serialize(new
                {
                    intake.Channel, intake.ReceivedAt, receiptDay = plan.ReceiptDay.Day, calendarVersion,
                    definition = new { id = definitionId, version = definitionVersion },
                    clocks = plan.Clocks.Select(c => new { c.Clock, c.DueAt, c.Provisional }),
                }, JsonSerializerOptions.Web),
            }, tx);

        await conn.ExecuteAsync("""
            INSERT INTO wageclue.clue_clocks (clue_id, district_id, clock, due_at, provisional, next_escalation_at)
            SELECT @id, @DistrictId, * FROM unnest(@clocks, @dues, @provisional, @firstEscalations)
            """, new
            {
                id, intake.DistrictId,
                clocks = plan.Clocks.Select(c => c.Clock).ToArray(),
                dues = plan.Clocks.Select(c => c.DueAt.UtcDateTime).ToArray(),
                provisional = plan.Clocks.Select(c => c.Provisional).ToArray(),
                firstEscalations = plan.Clocks.Select(c => c.FirstEscalationAt?.UtcDateTime).ToArray(),
            }, tx);

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
            Id = id, TrackingCode = trackingCode, DefinitionId = definitionId, DefinitionVersion = definitionVersion,
            CalendarVersion = calendarVersion, Channel = intake.Channel, DistrictId = intake.DistrictId, DistrictName = districtName,
            ComplainantName = intake.ComplainantName, ComplainantPhone = intake.ComplainantPhone, ComplainantIdNumber = intake.ComplainantIdNumber,
            EmployerName = intake.EmployerName, EmployerCreditCode = intake.EmployerCreditCode, Industry = intake.Industry,
            WorkerCount = intake.WorkerCount, AmountOwed = intake.AmountOwed, Description = intake.Description,
            ReceivedAt = intake.ReceivedAt.AddTicks(-(intake.ReceivedAt.Ticks % 10)), ReceiptDay = plan.ReceiptDay.Day, State = initialState, Version = 1, CreatedAt = now, UpdatedAt = now,
        };
        var clocks = plan.Clocks.Select(c => new ClockRow { ClueId = id, Clock = c.Clock, DueAt = c.DueAt, Provisional = c.Provisional }).ToList();
        return new IntakeResult(IntakeOutcome.Created, id, (clue, clocks));
    }

    /// <summary>
    /// Applies an allowed action as a compare-and-set on the clue's version: when another request changed the clue
    /// since it was read, nothing is written and the caller answers 409. So of two concurrent actions at most one
    /// succeeds, and the history never shows a transition from a state the clue was no longer in.
    /// </summary>
    /// <returns>False when the version moved on.</returns>
    public async Task<bool> ApplyAsync(ClueRow clue, string action, Allowed decision, long actorId, DateTimeOffset now)
    {
        var sets = new List<string> { "state = @ToState", "version = version + 1", "updated_at = @now" };
        var args = new DynamicParameters(new { clue.Id, clue.Version, decision.ToState, now });
        foreach (var (attribute, value) in decision.Updates)
        {
            var column = UpdatableColumns[attribute];
            sets.Add($"{column} = @{column}");
            args.Add(column, value is long l && column == "workers_paid" ? checked((int)l) : value);
        }

        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockSharedAsync(conn, tx);
        var rows = await conn.ExecuteAsync(
            $"UPDATE wageclue.clues SET {string.Join(", ", sets)} WHERE id = @Id AND version = @Version", args, tx);
        if (rows == 0) return false; // disposing the transaction rolls it back

        var met = (await conn.QueryAsync<ClockRow>("""
            UPDATE wageclue.clue_clocks SET met_at = @now, met_by = @action, next_escalation_at = NULL
            WHERE clue_id = @Id AND clock = ANY(@clocks) AND met_at IS NULL AND cancelled_at IS NULL
            RETURNING *
            """, new { clue.Id, now, action, clocks = decision.MetClocks.ToArray() }, tx)).AsList();
        var cancelled = decision.EntersFinalState
            ? (await conn.QueryAsync<string>("""
                UPDATE wageclue.clue_clocks SET cancelled_at = @now, next_escalation_at = NULL
                WHERE clue_id = @Id AND met_at IS NULL AND cancelled_at IS NULL
                RETURNING clock
                """, new { clue.Id, now }, tx)).AsList()
            : [];

        var data = new Dictionary<string, object?> { ["fields"] = decision.Fields };
        if (decision.Updates.ContainsKey("assignee")) data["previousAssigneeId"] = clue.AssigneeId;
        if (met.Count > 0) data["clocksMet"] = met.Select(m => new { clock = m.Clock, late = now > m.DueAt }).ToList();
        if (cancelled.Count > 0) data["clocksCancelled"] = cancelled;
        await conn.ExecuteAsync("""
            INSERT INTO wageclue.clue_history (clue_id, at, actor_id, kind, action, from_state, to_state, clue_version, data)
            VALUES (@Id, @now, @actorId, 'action', @action, @FromState, @ToState, @newVersion, @data::jsonb)
            """, new
            {
                clue.Id, now, actorId, action, decision.FromState, decision.ToState, newVersion = clue.Version + 1,
                data = JsonSerializer.Serialize(data, JsonSerializerOptions.Web),
            }, tx);
        await tx.CommitAsync();
        return true;
    }

    public async Task LogPersonalDataViewAsync(long clueId, long userId, string purpose, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO wageclue.pii_access_log (clue_id, user_id, at, purpose) VALUES (@clueId, @userId, @now, @purpose)",
            new { clueId, userId, now, purpose });
    }

    // The clue attributes a definition field may update ("updates" in the definition), and their columns.
    private static readonly Dictionary<string, string> UpdatableColumns = new()
    {
        ["assignee"] = "assignee_id",
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
