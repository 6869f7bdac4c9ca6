using Dapper;
using Npgsql;
using WageClue.Server.Features.Instances;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Listings;

/// <summary>A listing case as subject of the workflow core.</summary>
public static class ListingSubject
{
    public const string Name = "listing";
    public const string Noun = "失信联合惩戒名单案件";
}

/// <summary>A listing case: its instance's workflow columns with its facts (the 责令 order, the decision's fields).</summary>
public sealed record ListingRow
{
    public long Id { get; init; }
    public string CaseNumber { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public long CalendarVersion { get; init; }
    public string State { get; init; } = "";
    public string? PreviousState { get; init; }
    public int Version { get; init; }
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public long? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public long? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public long EmployerId { get; init; }
    public string EmployerName { get; init; } = "";
    public string? EmployerCreditCode { get; init; }
    public long? ClueId { get; init; }
    public string? ClueTrackingCode { get; init; }
    public string OrderNumber { get; init; } = "";
    public DateOnly OrderDeadline { get; init; }
    public decimal Amount { get; init; }
    public int WorkerCount { get; init; }
    public bool GroupIncident { get; init; }
    public string? NoticeNumber { get; init; }
    public string? Objection { get; init; }
    public string? ObjectionReply { get; init; }
    public string? ClosedReason { get; init; }
    public DateOnly? CorrectedOn { get; init; }
    public string? Pledge { get; init; }
    public string? DecisionNumber { get; init; }
    public string? DecisionReason { get; init; }
    public string? DecisionBasis { get; init; }
    public string? Sanctions { get; init; }
    public string? RemovalConditions { get; init; }
    public string? Remedies { get; init; }
    public string? LegalRepresentative { get; init; }
    public string? ResponsiblePersons { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? EndReason { get; init; }

    public InstanceRow Instance => new()
    {
        Id = Id, Subject = ListingSubject.Name, DefinitionId = DefinitionId, DefinitionVersion = DefinitionVersion, CalendarVersion = CalendarVersion,
        State = State, PreviousState = PreviousState, Version = Version, DistrictId = DistrictId, AssigneeId = AssigneeId, CreatedBy = CreatedBy,
    };

    /// <summary>What the engine reads: the instance, its clocks, and the attributes the definition's guards name.</summary>
    public InstanceSnapshot Snapshot(IEnumerable<ClockRow> clocks) => new(State, PreviousState, Version, DistrictId, AssigneeId,
        clocks.Select(k => k.ToSnapshot()).ToList(),
        new Dictionary<string, string?>
        {
            ["endReason"] = EndReason,
            ["closedReason"] = ClosedReason,
            ["correctedOn"] = CorrectedOn?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        });
}

public sealed record NewListing(long EmployerId, long? ClueId, string DistrictId, string OrderNumber, DateOnly OrderDeadline, decimal Amount,
    int WorkerCount, bool GroupIncident);

/// <summary>A listed employer as the public announcement shows it: the decision's public fields only.</summary>
public sealed class PublicListing
{
    public string EmployerName { get; init; } = "";
    public string? CreditCode { get; init; }
    public string? LegalRepresentative { get; init; }
    public string? DecisionNumber { get; init; }
    public string? DecisionReason { get; init; }
    public string? Sanctions { get; init; }
    public DateTimeOffset DecidedAt { get; init; }
    public DateTimeOffset TermEndsAt { get; init; }
    public string DistrictName { get; init; } = "";
}

/// <summary>A running deadline of a listing case (the dashboard's list).</summary>
public sealed class ListingDeadline
{
    public long Id { get; init; }
    public string CaseNumber { get; init; } = "";
    public string EmployerName { get; init; } = "";
    public string State { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public string Clock { get; init; } = "";
    public DateTimeOffset DueAt { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
}

/// <summary>The only SQL of listing cases' facts; their clocks and history go through the workflow core.</summary>
public sealed class ListingRepository(NpgsqlDataSource db)
{
    internal const string Select = """
        SELECT l.*, i.definition_id, i.definition_version, i.calendar_version, i.state, i.previous_state, i.version, i.district_id,
               i.assignee_id, i.created_by, i.created_at, d.name AS district_name, u.display_name AS assignee_name,
               e.name AS employer_name, e.credit_code AS employer_credit_code, c.tracking_code AS clue_tracking_code
        FROM wageclue.listings l
        JOIN wageclue.workflow_instances i ON i.id = l.id
        JOIN wageclue.employers e ON e.id = l.employer_id
        JOIN wageclue.districts d ON d.id = i.district_id
        LEFT JOIN wageclue.users u ON u.id = i.assignee_id
        LEFT JOIN wageclue.clues c ON c.id = l.clue_id
        """;

    /// <summary>States in which a case no longer stands against the employer: its start may be repeated.</summary>
    public static readonly string[] Finished = ["not-listed", "ended"];

    /// <summary>States in which the employer is on the public list.</summary>
    public static readonly string[] Published = ["listed", "removal-review"];

    public async Task<(ListingRow Listing, IReadOnlyList<ClockRow> Clocks)?> FindWithClocksAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        var listing = await FindAsync(conn, null, id);
        return listing == null ? null : (listing, await ClockStore.ForInstancesAsync(conn, [id]));
    }

    public async Task<IReadOnlyList<ClockRow>> ClocksAsync(IReadOnlyCollection<long> ids)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await ClockStore.ForInstancesAsync(conn, ids);
    }

    internal static Task<ListingRow?> FindAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, long id) =>
        conn.QuerySingleOrDefaultAsync<ListingRow>($"{Select} WHERE l.id = @id", new { id }, tx);

    public Task<IReadOnlyList<HistoryRecord>> HistoryAsync(long id) => HistoryStore.ReadAsync(db, id);

    /// <summary>
    /// One transaction: the employer locked (two supervisors starting a case for one employer wait for each other),
    /// no case of it in progress, the instance, the facts, the decision clock counted from the 责令 deadline, the
    /// first history entry.
    /// </summary>
    /// <returns>The new case's id, or the id of the case already in progress (then nothing was written).</returns>
    public async Task<(long Id, bool Created)> InsertAsync(NewListing n, WorkflowEngine engine, WorkingCalendar calendar, long userId, DateTimeOffset now)
    {
        now = now.AddTicks(-(now.Ticks % 10));
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await Calendar.CalendarRepository.LockSharedAsync(conn, tx);
        await conn.ExecuteAsync("SELECT 1 FROM wageclue.employers WHERE id = @EmployerId FOR UPDATE", new { n.EmployerId }, tx);
        var open = await conn.ExecuteScalarAsync<long?>("""
            SELECT l.id FROM wageclue.listings l JOIN wageclue.workflow_instances i ON i.id = l.id
            WHERE l.employer_id = @EmployerId AND i.state <> ALL(@Finished) LIMIT 1
            """, new { n.EmployerId, Finished }, tx);
        if (open is { } existing) return (existing, false);

        var definition = engine.Definition;
        var (receiptDay, started) = engine.Register(now, calendar, new Dictionary<string, DateOnly> { ["orderDeadline"] = n.OrderDeadline });
        var id = await InstanceStore.InsertAsync(conn, tx, new NewInstance(ListingSubject.Name, definition.Id, definition.Version, calendar.Version,
            definition.InitialState, n.DistrictId, userId, userId), now);
        var caseNumber = await conn.ExecuteScalarAsync<string>(
            "SELECT 'MD' || to_char(@now AT TIME ZONE 'Asia/Shanghai', 'YYYY') || lpad(nextval('wageclue.listing_case_seq')::text, 4, '0')", new { now }, tx);
        await conn.ExecuteAsync("""
            INSERT INTO wageclue.listings (id, case_number, employer_id, clue_id, order_number, order_deadline, amount, worker_count, group_incident)
            VALUES (@id, @caseNumber, @EmployerId, @ClueId, @OrderNumber, @OrderDeadline, @Amount, @WorkerCount, @GroupIncident)
            """, new { id, caseNumber, n.EmployerId, n.ClueId, n.OrderNumber, n.OrderDeadline, n.Amount, n.WorkerCount, n.GroupIncident }, tx);
        await ClockStore.ApplyAsync(conn, tx, id, n.DistrictId, started, "receipt", now);
        await HistoryStore.AppendAsync(conn, tx, id, 1, userId, new Registered(null, null, receiptDay.Day, calendar.Version,
            new DefinitionRef(definition.Id, definition.Version),
            started.Select(c => new PlannedDue(c.Clock, engine.ToLocal(c.DueAt), c.Provisional)).ToList()), now, toState: definition.InitialState);
        await tx.CommitAsync();
        return (id, true);
    }

    /// <summary>The attributes an action sets, inside its transaction; 作出列入决定 also stamps the decision time.</summary>
    public static async Task UpdateAttributesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string action,
        IReadOnlyDictionary<string, object?> updates, DateTimeOffset now)
    {
        var sets = new List<string>();
        var args = new DynamicParameters(new { id, now });
        foreach (var (attribute, value) in updates)
        {
            if (attribute == Attributes.Assignee) continue; // the instance's, written by the compare-and-set
            var column = Columns.TryGetValue(attribute, out var c) ? c
                : throw new InvalidOperationException($"The definition updates '{attribute}', which listing cases do not have.");
            sets.Add(column == "corrected_on" ? $"{column} = @{column}::date" : $"{column} = @{column}");
            args.Add(column, value);
        }
        // The decision's date is that of the latest 作出列入决定 or 恢复 (the term restarts with it).
        if (action is "decide" or "restore") sets.Add("decided_at = @now");
        if (sets.Count > 0) await conn.ExecuteAsync($"UPDATE wageclue.listings SET {string.Join(", ", sets)} WHERE id = @id", args, tx);
    }

    /// <summary>Every attribute a listing definition may update, and its column.</summary>
    public static readonly IReadOnlyDictionary<string, string> Columns = new Dictionary<string, string>
    {
        ["noticeNumber"] = "notice_number",
        ["objection"] = "objection",
        ["objectionReply"] = "objection_reply",
        ["closedReason"] = "closed_reason",
        ["correctedOn"] = "corrected_on",
        ["pledge"] = "pledge",
        ["decisionNumber"] = "decision_number",
        ["decisionReason"] = "decision_reason",
        ["decisionBasis"] = "decision_basis",
        ["sanctions"] = "sanctions",
        ["removalConditions"] = "removal_conditions",
        ["remedies"] = "remedies",
        ["legalRepresentative"] = "legal_representative",
        ["responsiblePersons"] = "responsible_persons",
        ["endReason"] = "end_reason",
    };

    /// <param name="districts">What the caller may read; null for the whole city.</param>
    public async Task<(IReadOnlyList<ListingRow> Items, long Total)> ListAsync(IReadOnlyList<string>? districts, string? state, long? employerId, int page, int pageSize)
    {
        const string Where = """
            WHERE (@districts::text[] IS NULL OR i.district_id = ANY(@districts)) AND (@state::text IS NULL OR i.state = @state)
              AND (@employerId::bigint IS NULL OR l.employer_id = @employerId)
            """;
        var args = new { districts = districts?.ToArray(), state, employerId, limit = pageSize, offset = (long)(page - 1) * pageSize };
        await using var conn = await db.OpenConnectionAsync();
        var items = (await conn.QueryAsync<ListingRow>($"{Select} {Where} ORDER BY l.id DESC LIMIT @limit OFFSET @offset", args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>(
            $"SELECT count(*) FROM wageclue.listings l JOIN wageclue.workflow_instances i ON i.id = l.id {Where}", args);
        return (items, total);
    }

    /// <summary>The public announcement (公示): employers listed now, newest decision first, with the term's end.</summary>
    public async Task<(IReadOnlyList<PublicListing> Items, long Total)> PublishedAsync(int page, int pageSize)
    {
        await using var conn = await db.OpenConnectionAsync();
        var args = new { Published, limit = pageSize, offset = (long)(page - 1) * pageSize };
        var items = (await conn.QueryAsync<PublicListing>("""
            SELECT e.name AS employer_name, e.credit_code, l.legal_representative, l.decision_number, l.decision_reason, l.sanctions,
                   l.decided_at, t.due_at AS term_ends_at, d.name AS district_name
            FROM wageclue.listings l
            JOIN wageclue.workflow_instances i ON i.id = l.id
            JOIN wageclue.employers e ON e.id = l.employer_id
            JOIN wageclue.districts d ON d.id = i.district_id
            JOIN LATERAL (SELECT k.due_at FROM wageclue.workflow_clocks k WHERE k.instance_id = l.id AND k.clock = 'term' ORDER BY k.round DESC LIMIT 1) t ON true
            WHERE i.state = ANY(@Published)
            ORDER BY l.decided_at DESC, l.id DESC
            LIMIT @limit OFFSET @offset
            """, args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM wageclue.listings l JOIN wageclue.workflow_instances i ON i.id = l.id WHERE i.state = ANY(@Published)", args);
        return (items, total);
    }

    /// <summary>Running clocks of listing cases due before <paramref name="before"/>, earliest first (the dashboard).</summary>
    public async Task<IReadOnlyList<ListingDeadline>> DeadlinesAsync(IReadOnlyList<string>? districts, IReadOnlyCollection<string> clocks, DateTimeOffset before, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<ListingDeadline>($"""
            SELECT l.id, l.case_number, e.name AS employer_name, i.state, d.name AS district_name, k.clock, k.due_at, i.definition_id, i.definition_version
            FROM wageclue.workflow_clocks k
            JOIN wageclue.listings l ON l.id = k.instance_id
            JOIN wageclue.workflow_instances i ON i.id = l.id
            JOIN wageclue.employers e ON e.id = l.employer_id
            JOIN wageclue.districts d ON d.id = i.district_id
            WHERE k.subject = 'listing' AND {ClockStore.Running} AND k.clock = ANY(@clocks) AND k.due_at < @before
              AND (@districts::text[] IS NULL OR i.district_id = ANY(@districts))
            ORDER BY k.due_at, l.id
            LIMIT @limit
            """, new { districts = districts?.ToArray(), clocks = clocks.ToArray(), before = before.ToUniversalTime(), limit })).AsList();
    }

    /// <summary>Cases by state in the districts given (the dashboard's counts).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsByStateAsync(IReadOnlyList<string>? districts)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<(string, long)>("""
            SELECT i.state, count(*) FROM wageclue.workflow_instances i
            WHERE i.subject = 'listing' AND (@districts::text[] IS NULL OR i.district_id = ANY(@districts))
            GROUP BY i.state
            """, new { districts = districts?.ToArray() })).ToDictionary(r => r.Item1, r => r.Item2);
    }

    /// <summary>
    /// 第十三条: no early removal while a new arrears case or a criminal proceeding is open. Read from the records: a clue
    /// of the employer received since the listing (or its restoration) and not finished, or one moved to the police
    /// (移送公安 or 办结类型 移送公安) since then.
    /// </summary>
    public static async Task<(long OpenClues, long PoliceReferrals)> RemovalBarsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long employerId,
        DateTimeOffset since, IReadOnlyCollection<string> finalClueStates) =>
        await conn.QuerySingleAsync<(long, long)>("""
            SELECT count(*) FILTER (WHERE c.received_at >= @since AND i.state <> ALL(@finals)),
                   count(*) FILTER (WHERE i.updated_at >= @since AND (c.transfer_receiver = 'police' OR c.outcome_type = 'referred-police'))
            FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id
            WHERE c.employer_id = @employerId
            """, new { employerId, since = since.ToUniversalTime(), finals = finalClueStates.ToArray() }, tx);
}
