using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Infrastructure.Jobs;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Sla;

public sealed record SweepResult(int Clocks, int Escalated, int Superseded, int EmailsQueued);

/// <summary>
/// The recurring SLA sweep (ARCHITECTURE.md): claims clocks whose next escalation point has come, a batch per
/// transaction with FOR UPDATE SKIP LOCKED, and in that transaction records each escalation, writes the clue's
/// history, marks the clock overdue and queues the emails. Any number of servers may sweep at once: a clock is held
/// by one of them at a time, and (clue, clock, level) is unique, so every escalation happens once.
/// </summary>
public sealed class SlaSweep(NpgsqlDataSource db, WorkflowRegistry workflows, CalendarStore calendars, JobClock clock,
    EscalationEmails emails, IBackgroundJobClient jobs, IOptions<JobsOptions> options, ILogger<SlaSweep> logger)
{
    public const string RecurringJobId = "sla-sweep";

    private sealed class DueClock
    {
        public long ClueId { get; init; }
        public string Clock { get; init; } = "";
        public DateTimeOffset DueAt { get; init; }
        public int EscalationLevel { get; init; }
        public string DefinitionId { get; init; } = "";
        public int DefinitionVersion { get; init; }
        public int ClueVersion { get; init; }
        public string TrackingCode { get; init; } = "";
        public string DistrictId { get; init; } = "";
        public string DistrictName { get; init; } = "";
        public string EmployerName { get; init; } = "";
        public string ComplainantName { get; init; } = "";
        public string ComplainantPhone { get; init; } = "";
        public string State { get; init; } = "";
        public long? AssigneeId { get; init; }
        public string? AssigneeName { get; init; }
    }

    // Overlapping runs (a slow run, several servers) are safe, so no Hangfire lock; the next run is the retry.
    [AutomaticRetry(Attempts = 0)]
    public async Task<SweepResult> RunAsync(CancellationToken cancel = default)
    {
        var total = new SweepResult(0, 0, 0, 0);
        var budget = Stopwatch.StartNew();
        while (!cancel.IsCancellationRequested && budget.Elapsed < options.Value.SweepTimeBudget)
        {
            var batch = await SweepBatchAsync();
            total = new SweepResult(total.Clocks + batch.Clocks, total.Escalated + batch.Escalated,
                total.Superseded + batch.Superseded, total.EmailsQueued + batch.EmailsQueued);
            if (batch.Clocks < options.Value.SweepBatchSize) break;
        }
        if (total.EmailsQueued > 0) jobs.Enqueue<OutboxSender>(s => s.DrainAsync(CancellationToken.None));
        if (total.Clocks > 0)
            logger.LogInformation("SLA sweep: {Clocks} clocks, {Escalated} escalations, {Superseded} warnings superseded, {Emails} emails queued",
                total.Clocks, total.Escalated, total.Superseded, total.EmailsQueued);
        return total;
    }

    private async Task<SweepResult> SweepBatchAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // Deadlines are not recomputed under our feet: an upload of a calendar year waits for this batch, and back.
        await CalendarRepository.LockSharedAsync(conn, tx);
        var now = await clock.NowAsync(conn, tx);
        var due = (await conn.QueryAsync<DueClock>("""
            SELECT k.clue_id, k.clock, k.due_at, k.escalation_level,
                   c.definition_id, c.definition_version, c.version AS clue_version, c.tracking_code, c.district_id, d.name AS district_name,
                   c.employer_name, c.complainant_name, c.complainant_phone, c.state, c.assignee_id, u.display_name AS assignee_name
            FROM wageclue.clue_clocks k
            JOIN wageclue.clues c ON c.id = k.clue_id
            JOIN wageclue.districts d ON d.id = c.district_id
            LEFT JOIN wageclue.users u ON u.id = c.assignee_id
            WHERE k.next_escalation_at <= @now AND k.met_at IS NULL AND k.cancelled_at IS NULL
            ORDER BY k.next_escalation_at
            LIMIT @SweepBatchSize
            FOR UPDATE OF k SKIP LOCKED
            """, new { now, options.Value.SweepBatchSize }, tx)).AsList();
        if (due.Count == 0) return new SweepResult(0, 0, 0, 0);

        var calendar = await calendars.GetAsync(conn, tx);
        var recipients = await RecipientDirectory.LoadAsync(conn, tx);
        int escalated = 0, superseded = 0, queued = 0;
        foreach (var k in due)
        {
            var engine = workflows.Pinned(k.DefinitionId, k.DefinitionVersion);
            var ladder = ClockPlanner.Ladder(engine.Definition, ClockPlanner.Calculator(engine.Definition, calendar));
            var step = ladder.Step(k.DueAt, k.EscalationLevel, now);

            foreach (var point in step.Superseded)
                if (await RecordAsync(conn, tx, k, point, now, superseded: true) != null) superseded++;

            foreach (var point in step.Escalate)
            {
                var escalationId = await RecordAsync(conn, tx, k, point, now, superseded: false);
                if (escalationId == null) continue; // recorded before: never twice
                escalated++;
                var told = point.Level.Channels.Contains("email")
                    ? recipients.Resolve(point.Level.Notify, k.DistrictId, k.AssigneeId)
                    : [];
                var facts = new EscalationFacts(k.ClueId, k.TrackingCode, k.EmployerName, engine.StateName(k.State), k.DistrictName,
                    k.AssigneeName, k.ComplainantName, k.ComplainantPhone,
                    k.Clock, engine.Definition.Clocks.Single(c => c.Id == k.Clock).Name, engine.ToLocal(k.DueAt), now - k.DueAt);
                foreach (var to in told)
                    if (await Outbox.QueueAsync(conn, tx, emails.For(escalationId.Value, facts, point.Level, to), now)) queued++;
                await HistoryAsync(conn, tx, k, point, told, step.Superseded, engine.ToLocal(k.DueAt), now);
            }

            await conn.ExecuteAsync("""
                UPDATE wageclue.clue_clocks
                SET escalation_level = @LevelReached, next_escalation_at = @next,
                    overdue_at = CASE WHEN @now >= due_at THEN coalesce(overdue_at, @now) END
                WHERE clue_id = @ClueId AND clock = @Clock
                """, new { step.LevelReached, next = step.Next?.At.ToUniversalTime(), now, k.ClueId, k.Clock }, tx);
        }
        await tx.CommitAsync();
        return new SweepResult(due.Count, escalated, superseded, queued);
    }

    /// <returns>The new escalation's id, or null when this (clue, clock, level) was recorded before.</returns>
    private static Task<long?> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DueClock k, EscalationPoint point, DateTimeOffset now, bool superseded) =>
        conn.ExecuteScalarAsync<long?>("""
            INSERT INTO wageclue.escalations (clue_id, clock, level, level_id, district_id, due_at, point_at, recorded_at, superseded)
            VALUES (@ClueId, @Clock, @Level, @LevelId, @DistrictId, @DueAt, @PointAt, @now, @superseded)
            ON CONFLICT (clue_id, clock, level) DO NOTHING
            RETURNING id
            """, new
            {
                k.ClueId, k.Clock, point.Level.Level, LevelId = point.Level.Id, k.DistrictId, DueAt = k.DueAt.ToUniversalTime(),
                PointAt = point.At.ToUniversalTime(), now, superseded,
            }, tx);

    private static Task HistoryAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DueClock k, EscalationPoint point,
        IReadOnlyList<Recipient> told, IReadOnlyList<EscalationPoint> supersededPoints, DateTimeOffset dueLocal, DateTimeOffset now) =>
        conn.ExecuteAsync("""
            INSERT INTO wageclue.clue_history (clue_id, at, kind, action, clue_version, data)
            VALUES (@ClueId, @now, 'escalated', @LevelId, @ClueVersion, @data::jsonb)
            """, new
            {
                k.ClueId, now, LevelId = point.Level.Id, k.ClueVersion,
                data = JsonSerializer.Serialize(new
                {
                    clock = k.Clock,
                    level = point.Level.Level,
                    levelName = point.Level.Name,
                    dueAt = dueLocal,
                    notified = told.Where(r => r.Email != null).Select(r => new { id = r.Id, name = r.DisplayName }),
                    skippedWithoutEmail = told.Where(r => r.Email == null).Select(r => new { id = r.Id, name = r.DisplayName }),
                    superseded = supersededPoints.Select(p => p.Level.Id),
                }, JsonSerializerOptions.Web),
            }, tx);
}
