using Dapper;
using Npgsql;
using WageClue.Server.Features.Instances;

namespace WageClue.Server.Features.Dashboard;

/// <summary>A clock round with its clue, for the lifecycle lists.</summary>
public sealed class LifecycleRow
{
    public long ClueId { get; init; }
    public string TrackingCode { get; init; } = "";
    public string EmployerName { get; init; } = "";
    public string State { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public string? AssigneeName { get; init; }
    public string Clock { get; init; } = "";
    public int Round { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public DateTimeOffset? MetAt { get; init; }
    public DateTimeOffset? PausedAt { get; init; }
    public int? ExtensionRequestDays { get; init; }
    public string? SuspendReason { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
}

/// <summary>A clue newly given to its assignee by someone else.</summary>
public sealed class NewAssignmentRow
{
    public long ClueId { get; init; }
    public string TrackingCode { get; init; } = "";
    public string EmployerName { get; init; } = "";
    public string State { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public DateTimeOffset AssignedAt { get; init; }
    public string? AssignedBy { get; init; }
}

/// <summary>What waits for one user: the workbench's to-do lists, counted for the header.</summary>
public sealed class TodoCounts
{
    public long NewAssignments { get; init; }
    public long UrgesToAnswer { get; init; }
    public long DueSoon { get; init; }
    public long ExtensionsToDecide { get; init; }
    public long Total => NewAssignments + UrgesToAnswer + DueSoon + ExtensionsToDecide;
}

/// <param name="Started">Follow-up clocks started (clues resolved) in the window.</param>
/// <param name="FollowedUp">Of those, followed up (回访率 = FollowedUp / Started).</param>
/// <param name="Satisfied">Followed-up clues whose latest satisfaction is 非常满意, 满意 or 基本满意 (满意率 = Satisfied / FollowedUp).</param>
public sealed record FollowUpRow(string DistrictId, long Started, long FollowedUp, long Satisfied)
{
    public double? FollowUpRate => Started == 0 ? null : (double)FollowedUp / Started;

    public double? SatisfactionRate => FollowedUp == 0 ? null : (double)Satisfied / FollowedUp;
}

/// <summary>
/// What the lifecycle adds to the supervisor's and the caseworker's day: extensions waiting for a decision, paused
/// clues and for how long, urges and their replies, and the follow-up figures. The clock ids are version 2's
/// (workflows/wage-arrears-clue.v2.json): <see cref="UrgeReply"/> and <see cref="FollowUp"/>.
/// </summary>
public sealed class LifecycleQueries(NpgsqlDataSource db)
{
    public const string UrgeReply = "urge-reply";
    public const string FollowUp = "follow-up";
    public static readonly string[] SatisfiedValues = ["very-satisfied", "satisfied", "basically-satisfied"];

    private const string Select = """
        SELECT k.instance_id AS clue_id, c.tracking_code, c.employer_name, i.state, i.district_id, d.name AS district_name,
               u.display_name AS assignee_name, k.clock, k.round, k.started_at, k.due_at, k.met_at, k.paused_at, k.extension_request_days,
               c.suspend_reason, i.definition_id, i.definition_version
        FROM wageclue.workflow_clocks k
        JOIN wageclue.workflow_instances i ON i.id = k.instance_id
        JOIN wageclue.clues c ON c.id = k.instance_id
        JOIN wageclue.districts d ON d.id = i.district_id
        LEFT JOIN wageclue.users u ON u.id = i.assignee_id
        """;

    /// <param name="districts">What the caller may read; null is the whole city.</param>
    public async Task<IReadOnlyList<LifecycleRow>> PendingExtensionsAsync(IReadOnlyList<string>? districts, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<LifecycleRow>($"""
            {Select}
            WHERE k.extension_request_days IS NOT NULL AND {ClockStore.Open} AND (@districts::text[] IS NULL OR k.district_id = ANY(@districts))
            ORDER BY k.due_at LIMIT @limit
            """, new { districts = districts?.ToArray(), limit })).AsList();
    }

    /// <summary>Paused clues, each once (its first paused clock), longest paused first.</summary>
    public async Task<IReadOnlyList<LifecycleRow>> PausedAsync(IReadOnlyList<string>? districts, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<LifecycleRow>($"""
            SELECT * FROM (
                SELECT DISTINCT ON (clue_id) * FROM (
                    {Select}
                    WHERE k.paused_at IS NOT NULL AND {ClockStore.Open} AND (@districts::text[] IS NULL OR k.district_id = ANY(@districts))) x
                ORDER BY clue_id, paused_at) p
            ORDER BY p.paused_at LIMIT @limit
            """, new { districts = districts?.ToArray(), limit })).AsList();
    }

    /// <summary>Urges still waiting for a reply, and those of the last <paramref name="since"/> days, newest first.</summary>
    public async Task<IReadOnlyList<LifecycleRow>> UrgesAsync(IReadOnlyList<string>? districts, DateTimeOffset since, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<LifecycleRow>($"""
            {Select}
            WHERE k.clock = @UrgeReply AND (@districts::text[] IS NULL OR k.district_id = ANY(@districts))
              AND (k.started_at >= @since OR {ClockStore.Open})
            ORDER BY ({ClockStore.Open}) DESC, k.started_at DESC LIMIT @limit
            """, new { districts = districts?.ToArray(), since = since.ToUniversalTime(), limit, UrgeReply })).AsList();
    }

    /// <summary>Urges on the clues this user is responsible for that wait for their reply (the workbench).</summary>
    public async Task<IReadOnlyList<LifecycleRow>> UrgesToAnswerAsync(long assigneeId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<LifecycleRow>($"""
            {Select}
            WHERE k.clock = @UrgeReply AND {ClockStore.Open} AND i.assignee_id = @assigneeId
            ORDER BY k.due_at
            """, new { assigneeId, UrgeReply })).AsList();
    }

    /// <summary>The running clocks of my clues due before <paramref name="before"/>, overdue ones included, soonest first.</summary>
    public async Task<IReadOnlyList<LifecycleRow>> DueSoonAsync(long assigneeId, DateTimeOffset before, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<LifecycleRow>($"""
            {Select}
            WHERE i.assignee_id = @assigneeId AND i.subject = 'clue' AND {ClockStore.Running} AND k.due_at <= @before
            ORDER BY k.due_at LIMIT @limit
            """, new { assigneeId, before, limit })).AsList();
    }

    // A clue someone else gave me (an action that sets the assignee) which I have not acted on since.
    private const string NewAssignment = """
        FROM wageclue.workflow_instances i
        JOIN wageclue.clues c ON c.id = i.id
        JOIN LATERAL (SELECT a.at, a.actor_id FROM wageclue.workflow_history a
                      WHERE a.instance_id = i.id AND a.action = ANY(@assigning) AND a.at >= @since
                      ORDER BY a.at DESC LIMIT 1) a ON a.actor_id IS DISTINCT FROM @assigneeId
        LEFT JOIN wageclue.users u ON u.id = a.actor_id
        WHERE i.assignee_id = @assigneeId AND i.subject = 'clue'
          AND NOT EXISTS (SELECT 1 FROM wageclue.workflow_history b WHERE b.instance_id = i.id AND b.actor_id = @assigneeId AND b.at > a.at)
        """;

    /// <summary>新分派给我的: clues given to me by someone else since <paramref name="since"/> that I have not acted on yet, newest first.</summary>
    public async Task<IReadOnlyList<NewAssignmentRow>> NewAssignmentsAsync(long assigneeId, IReadOnlyList<string> assigning, DateTimeOffset since, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<NewAssignmentRow>($"""
            SELECT i.id AS clue_id, c.tracking_code, c.employer_name, i.state, i.definition_id, i.definition_version,
                   a.at AS assigned_at, u.display_name AS assigned_by
            {NewAssignment}
            ORDER BY a.at DESC LIMIT @limit
            """,
            new { assigneeId, assigning = assigning.ToArray(), since, limit })).AsList();
    }

    /// <summary>
    /// The header's count of what waits for me: new assignments, urges to answer, my clocks due within the bound
    /// (overdue included) and, for a supervisor, extension requests of their districts. One round trip per page.
    /// </summary>
    public async Task<TodoCounts> TodoCountsAsync(long userId, IReadOnlyList<string>? decidesExtensionsIn, IReadOnlyList<string> assigning,
        DateTimeOffset since, DateTimeOffset soon)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleAsync<TodoCounts>($"""
            SELECT (SELECT count(*) {NewAssignment}) AS new_assignments,
                   (SELECT count(*) FROM wageclue.workflow_clocks k JOIN wageclue.workflow_instances i ON i.id = k.instance_id
                    WHERE k.clock = @UrgeReply AND {ClockStore.Open} AND i.assignee_id = @assigneeId) AS urges_to_answer,
                   (SELECT count(*) FROM wageclue.workflow_clocks k JOIN wageclue.workflow_instances i ON i.id = k.instance_id
                    WHERE i.assignee_id = @assigneeId AND i.subject = 'clue' AND {ClockStore.Running} AND k.due_at <= @soon) AS due_soon,
                   (SELECT count(*) FROM wageclue.workflow_clocks k
                    WHERE @districts::text[] IS NOT NULL AND k.extension_request_days IS NOT NULL AND {ClockStore.Open}
                      AND k.district_id = ANY(@districts)) AS extensions_to_decide
            """, new { assigneeId = userId, assigning = assigning.ToArray(), since, soon, UrgeReply, districts = decidesExtensionsIn?.ToArray() });
    }

    /// <summary>回访率 and 满意率 per district over the clues resolved from each start until <paramref name="to"/>, in one read.</summary>
    public async Task<IReadOnlyDictionary<DateTimeOffset, IReadOnlyList<FollowUpRow>>> FollowUpAsync(IReadOnlyList<string>? districts,
        IReadOnlyList<DateTimeOffset> starts, DateTimeOffset to)
    {
        await using var conn = await db.OpenConnectionAsync();
        var rows = await conn.QueryAsync<(DateTime From, string DistrictId, long Started, long FollowedUp, long Satisfied)>("""
            SELECT w.since, k.district_id, count(*), count(*) FILTER (WHERE k.met_at IS NOT NULL),
                   count(*) FILTER (WHERE k.met_at IS NOT NULL AND c.satisfaction = ANY(@SatisfiedValues))
            FROM unnest(@starts) AS w(since)
            JOIN wageclue.workflow_clocks k ON k.started_at >= w.since
            JOIN wageclue.clues c ON c.id = k.instance_id
            WHERE k.clock = @FollowUp AND k.started_at >= @earliest AND k.started_at < @to AND k.cancelled_at IS NULL
              AND (@districts::text[] IS NULL OR k.district_id = ANY(@districts))
            GROUP BY w.since, k.district_id
            """, new
            {
                districts = districts?.ToArray(), starts = starts.Select(t => t.UtcDateTime).ToArray(), earliest = starts.Min().UtcDateTime,
                to = to.ToUniversalTime(), FollowUp, SatisfiedValues,
            });
        var bySince = rows.ToLookup(r => DateTime.SpecifyKind(r.From, DateTimeKind.Utc));
        return starts.ToDictionary(s => s, s => (IReadOnlyList<FollowUpRow>)bySince[s.UtcDateTime]
            .Select(r => new FollowUpRow(r.DistrictId, r.Started, r.FollowedUp, r.Satisfied)).ToList());
    }
}
