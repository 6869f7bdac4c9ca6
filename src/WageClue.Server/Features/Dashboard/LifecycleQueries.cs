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
