using System.Text;
using Dapper;
using Npgsql;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Instances;

/// <summary>One round of a clock as stored.</summary>
public sealed class ClockRow
{
    public long Id { get; init; }
    public long InstanceId { get; init; }
    public string Clock { get; init; } = "";
    public int Round { get; init; } = 1;
    public string DistrictId { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset DueAt { get; init; }
    public bool Provisional { get; init; }
    public DateTimeOffset? MetAt { get; init; }
    public string? MetBy { get; init; }
    public DateTimeOffset? CancelledAt { get; init; }
    public DateTimeOffset? PausedAt { get; init; }
    public TimeSpan? PausedRemaining { get; init; }
    public DateTimeOffset? ResumedAt { get; init; }
    public TimeSpan? ResumedRemaining { get; init; }
    public DateTimeOffset? OriginalDueAt { get; init; }
    public int Extensions { get; init; }
    public int ExtensionDays { get; init; }
    public int? ExtensionRequestDays { get; init; }
    public int EscalationLevel { get; init; }
    public DateTimeOffset? OverdueAt { get; init; }

    public bool IsRunning => MetAt == null && CancelledAt == null && PausedAt == null;

    public ClockSnapshot ToSnapshot() => new(Clock, Round, StartedAt, DueAt, MetAt, CancelledAt, PausedAt, PausedRemaining, OriginalDueAt,
        Extensions, ExtensionRequestDays, EscalationLevel);
}

/// <summary>
/// The only SQL that writes workflow_clocks, and the conditions every reader shares. Intake stores started clocks,
/// a transition applies the engine's effects, the sweep moves the ladder, a calendar upload moves due times.
/// </summary>
public static class ClockStore
{
    /// <summary>A clock that is counting down now (not met, not cancelled, not paused), for a table aliased <c>k</c>.
    /// The partial indexes of migration 0005 use exactly this condition.</summary>
    public const string Running = "k.met_at IS NULL AND k.cancelled_at IS NULL AND k.paused_at IS NULL";

    /// <summary>A running clock of a clue: what the clue dashboards list, from the partial indexes of migration 0007.</summary>
    public const string ClueRunning = Running + " AND k.subject = 'clue'";

    /// <summary>Not met and not cancelled: running or paused.</summary>
    public const string Open = "k.met_at IS NULL AND k.cancelled_at IS NULL";

    /// <summary>A clock that counts in a compliance rate: not cancelled (its instance ended first) and not paused (its
    /// due time waits for the resume).</summary>
    public const string Counted = "k.cancelled_at IS NULL AND k.paused_at IS NULL";

    /// <summary>Met by its original deadline (never extended, or met before the extension was needed).</summary>
    public const string MetOnTime = "k.met_at <= coalesce(k.original_due_at, k.due_at)";

    /// <summary>Met after the original deadline but within an approved extension.</summary>
    public const string MetWithinExtension = "k.original_due_at IS NOT NULL AND k.met_at > k.original_due_at AND k.met_at <= k.due_at";

    /// <summary>A clock with what a job needs of its instance (read into <see cref="DueClock"/>, split on the instance's id).</summary>
    private const string SelectDue = """
        SELECT k.*, i.id, i.subject, i.definition_id, i.definition_version, i.version AS instance_version, i.state, i.district_id,
               d.name AS district_name, i.assignee_id, u.display_name AS assignee_name
        FROM wageclue.workflow_clocks k
        JOIN wageclue.workflow_instances i ON i.id = k.instance_id
        JOIN wageclue.districts d ON d.id = i.district_id
        LEFT JOIN wageclue.users u ON u.id = i.assignee_id
        """;

    public static async Task<IReadOnlyList<ClockRow>> ForInstancesAsync(NpgsqlConnection conn, IReadOnlyCollection<long> ids, NpgsqlTransaction? tx = null) =>
        (await conn.QueryAsync<ClockRow>("SELECT k.* FROM wageclue.workflow_clocks k WHERE k.instance_id = ANY(@ids) ORDER BY k.instance_id, k.id",
            new { ids = ids.ToArray() }, tx)).AsList();

    /// <summary>
    /// Applies a decision's clock effects in one round trip and returns every clock of the instance as it is now.
    /// Each statement names the round it changes and only touches it while it is open, so a replayed or raced
    /// effect changes nothing.
    /// </summary>
    public static async Task<IReadOnlyList<ClockRow>> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long instanceId, string districtId,
        IReadOnlyList<ClockEffect> effects, string action, DateTimeOffset now)
    {
        var sql = new StringBuilder();
        var args = new DynamicParameters(new { instanceId, districtId, action, now });
        var i = 0;
        foreach (var effect in effects)
        {
            var p = $"p{i++}";
            args.Add($"{p}c", effect.Clock);
            args.Add($"{p}r", effect.Round);
            const string Where = "WHERE instance_id = @instanceId AND clock = @{0}c AND round = @{0}r AND met_at IS NULL AND cancelled_at IS NULL";
            var where = string.Format(System.Globalization.CultureInfo.InvariantCulture, Where, p);
            switch (effect)
            {
                case StartClock s:
                    args.Add($"{p}s", s.StartedAt.ToUniversalTime());
                    args.Add($"{p}d", s.DueAt.ToUniversalTime());
                    args.Add($"{p}v", s.Provisional);
                    args.Add($"{p}n", s.FirstEscalationAt?.ToUniversalTime());
                    sql.Append($"""
                        INSERT INTO wageclue.workflow_clocks (instance_id, subject, district_id, clock, round, started_at, due_at, provisional, next_escalation_at)
                        SELECT @instanceId, i.subject, @districtId, @{p}c, @{p}r, @{p}s, @{p}d, @{p}v, @{p}n FROM wageclue.workflow_instances i WHERE i.id = @instanceId;
                        """);
                    break;
                case MeetClock:
                    sql.Append($"UPDATE wageclue.workflow_clocks SET met_at = @now, met_by = @action, next_escalation_at = NULL, paused_at = NULL, extension_request_days = NULL {where};");
                    break;
                case CancelClock:
                    sql.Append($"UPDATE wageclue.workflow_clocks SET cancelled_at = @now, next_escalation_at = NULL, extension_request_days = NULL {where};");
                    break;
                case PauseClock pause:
                    args.Add($"{p}x", pause.Remaining);
                    sql.Append($"UPDATE wageclue.workflow_clocks SET paused_at = @now, paused_remaining = @{p}x, next_escalation_at = NULL {where} AND paused_at IS NULL;");
                    break;
                case ResumeClock resume:
                    args.Add($"{p}d", resume.DueAt.ToUniversalTime());
                    args.Add($"{p}o", resume.OriginalDueAt?.ToUniversalTime());
                    args.Add($"{p}n", resume.NextEscalationAt?.ToUniversalTime());
                    sql.Append($"""
                        UPDATE wageclue.workflow_clocks SET paused_at = NULL, due_at = @{p}d, original_due_at = coalesce(@{p}o, original_due_at),
                            resumed_at = @now, resumed_remaining = paused_remaining, paused_remaining = NULL, extension_days = 0,
                            next_escalation_at = @{p}n
                        {where} AND paused_at IS NOT NULL;
                        """);
                    break;
                case RequestExtension request:
                    args.Add($"{p}x", request.Days);
                    sql.Append($"UPDATE wageclue.workflow_clocks SET extension_request_days = @{p}x {where};");
                    break;
                case ExtendClock extend:
                    args.Add($"{p}x", extend.Days);
                    args.Add($"{p}d", extend.DueAfter.ToUniversalTime());
                    args.Add($"{p}o", extend.OriginalDueAt.ToUniversalTime());
                    args.Add($"{p}n", extend.NextEscalationAt?.ToUniversalTime());
                    sql.Append($"""
                        UPDATE wageclue.workflow_clocks SET due_at = @{p}d, original_due_at = coalesce(original_due_at, @{p}o),
                            extensions = extensions + 1, extension_days = extension_days + @{p}x, extension_request_days = NULL,
                            next_escalation_at = CASE WHEN paused_at IS NULL THEN @{p}n END
                        {where};
                        """);
                    break;
                case RefuseExtension:
                    sql.Append($"UPDATE wageclue.workflow_clocks SET extension_request_days = NULL {where};");
                    break;
                case MoveClocks move:
                    args.Add($"{p}x", move.DistrictId);
                    sql.Append($"UPDATE wageclue.workflow_clocks SET district_id = @{p}x WHERE instance_id = @instanceId;");
                    break;
                default:
                    throw new InvalidOperationException($"No SQL for clock effect {effect.GetType().Name}.");
            }
            sql.Append('\n');
        }
        sql.Append("SELECT k.* FROM wageclue.workflow_clocks k WHERE k.instance_id = @instanceId ORDER BY k.id;");
        return (await conn.QueryAsync<ClockRow>(sql.ToString(), args, tx)).AsList();
    }

    /// <summary>Running clocks whose due time could depend on a calendar year from <paramref name="yearStart"/>, locked with their instances.</summary>
    public static async Task<IReadOnlyList<ClockWithInstance>> RunningForRecomputeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset yearStart) =>
        (await conn.QueryAsync<ClockRow, InstanceRow, ClockWithInstance>($"""
            SELECT k.*, i.id, i.definition_id, i.definition_version, i.version
            FROM wageclue.workflow_clocks k JOIN wageclue.workflow_instances i ON i.id = k.instance_id
            WHERE {Running} AND (k.provisional OR k.due_at >= @yearStart)
            ORDER BY k.instance_id, k.id
            FOR UPDATE OF k, i
            """, (k, i) => new ClockWithInstance(k, i.DefinitionId, i.DefinitionVersion, i.Version),
            new { yearStart = yearStart.ToUniversalTime() }, tx, splitOn: "id")).AsList();

    /// <summary>
    /// Claims clocks whose next escalation point has come, oldest point first, each held by this transaction alone
    /// (FOR UPDATE SKIP LOCKED): several servers sweeping at once each take other clocks.
    /// </summary>
    public static async Task<IReadOnlyList<DueClock>> ClaimDueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset now, int limit) =>
        (await conn.QueryAsync<ClockRow, DueClock, DueClock>($"""
            {SelectDue}
            WHERE k.next_escalation_at <= @now AND {Running}
            ORDER BY k.next_escalation_at
            LIMIT @limit
            FOR UPDATE OF k SKIP LOCKED
            """, (k, i) => { i.Clock = k; return i; }, new { now = now.ToUniversalTime(), limit }, tx, splitOn: "id")).AsList();

    /// <summary>
    /// The oldest escalation point that has come and not been handled: how far the sweep is behind (a metric). Read
    /// from the same partial index as the claim; null when the sweep is up to date.
    /// </summary>
    public static async Task<DateTimeOffset?> OldestUnsweptAsync(NpgsqlConnection conn, DateTimeOffset now) =>
        await conn.ExecuteScalarAsync<DateTime?>($"""
            SELECT min(k.next_escalation_at) FROM wageclue.workflow_clocks k WHERE k.next_escalation_at <= @now AND {Running}
            """, new { now = now.ToUniversalTime() }) is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;

    /// <summary>Running clocks of one subject due before <paramref name="before"/>, most urgent first (the morning digest).</summary>
    public static async Task<IReadOnlyList<DueClock>> RunningDueBeforeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DateTimeOffset before, string subject) =>
        (await conn.QueryAsync<ClockRow, DueClock, DueClock>($"""
            {SelectDue}
            WHERE {Running} AND k.subject = @subject AND k.due_at < @before
            ORDER BY k.due_at, k.instance_id
            """, (k, i) => { i.Clock = k; return i; }, new { before = before.ToUniversalTime(), subject }, tx, splitOn: "id")).AsList();

    /// <summary>The sweep's bookkeeping after it handled a clock: the level reached, the next point, when it was first seen overdue.</summary>
    public static Task UpdateEscalationAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long clockId, int levelReached, DateTimeOffset? next, DateTimeOffset now) =>
        UpdateEscalationsAsync(conn, tx, [new(clockId, levelReached, next)], now);

    public sealed record EscalationUpdate(long ClockId, int LevelReached, DateTimeOffset? Next);

    /// <summary><see cref="UpdateEscalationAsync"/> for a whole sweep batch, in one statement.</summary>
    public static Task UpdateEscalationsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<EscalationUpdate> updates, DateTimeOffset now) =>
        updates.Count == 0 ? Task.CompletedTask : conn.ExecuteAsync("""
            UPDATE wageclue.workflow_clocks k
            SET escalation_level = u.level_reached, next_escalation_at = u.next,
                overdue_at = CASE WHEN @now >= k.due_at THEN coalesce(k.overdue_at, @now) END
            FROM unnest(@clockIds, @levels, @nexts) AS u(clock_id, level_reached, next)
            WHERE k.id = u.clock_id
            """, new
            {
                clockIds = updates.Select(u => u.ClockId).ToArray(), levels = updates.Select(u => u.LevelReached).ToArray(),
                nexts = updates.Select(u => u.Next?.UtcDateTime).ToArray(), now,
            }, tx);

    /// <summary>A calendar upload moved the due time of an open round (levels reached stay reached; the next one moves).</summary>
    public static Task SetDueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long clockId, DateTimeOffset due, bool provisional,
        DateTimeOffset? originalDue, DateTimeOffset? next) =>
        conn.ExecuteAsync("""
            UPDATE wageclue.workflow_clocks SET due_at = @due, provisional = @provisional, original_due_at = coalesce(@originalDue, original_due_at),
                next_escalation_at = CASE WHEN paused_at IS NULL THEN @next END
            WHERE id = @clockId
            """, new { due = due.ToUniversalTime(), provisional, originalDue = originalDue?.ToUniversalTime(), next = next?.ToUniversalTime(), clockId }, tx);
}

/// <summary>A clock with the instance fields a job needs to handle it.</summary>
public sealed record ClockWithInstance(ClockRow Clock, string DefinitionId, int DefinitionVersion, int InstanceVersion);

/// <summary>A claimed clock with what the sweep needs of its instance.</summary>
public sealed class DueClock
{
    public ClockRow Clock { get; set; } = null!;
    public string Subject { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public int InstanceVersion { get; init; }
    public string State { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public long? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
}
